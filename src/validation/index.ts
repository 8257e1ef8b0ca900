/** Base R4 validation: structure, primitive formats, cardinality, choice types, required codes. */
export { createBaseValidator, type BaseValidator, type BaseValidateOptions } from './base-validator';

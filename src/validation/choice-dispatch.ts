import type { DataValidateFunction, DataValidationCxt, ErrorObject, ValidateFunction } from 'ajv/dist/types';
import { innerError } from './resource-dispatch';

/**
 * The `fhirChoice` keyword, for choice elements open to (nearly) every data type, such as
 * `Extension.value[x]` or `Parameters.parameter.value[x]`. Listing their ~100 JSON properties
 * (`valueString`, `_valueString`, `valueQuantity`, ...) in `properties` makes every object of
 * these types pay a lookup per listed property; instead the schema matches them with one
 * `patternProperties` entry and this keyword validates the property found against the schema of
 * its type. Nested errors are wrapped like those of `fhirResource` (`params.inner`).
 */

export interface ChoiceSpec {
  /** Type or backbone path of the object, for diagnostics. */
  label: string;
  /** JSON property -> FHIR type code, e.g. `valueQuantity` -> `Quantity`. */
  variants: Record<string, string>;
  /** Variants whose type is primitive (they may have a `_` sibling). */
  primitives: string[];
  /** Regular properties the pattern also matches; they are validated by `properties`. */
  ignore: string[];
}

export interface ChoiceResolver {
  /** Validator of one value of a data type (primitive or complex). */
  validatorForType(type: string): ValidateFunction;
  /** Validator of a primitive's `_name` sibling. */
  primitiveElementValidator(): ValidateFunction;
}

export type ChoiceErrorParams = { rule: 'unknownVariant'; name: string; label: string } | { inner: ErrorObject };

function choiceError(instancePath: string, params: ChoiceErrorParams): Partial<ErrorObject> {
  return { keyword: 'fhirChoice', instancePath, schemaPath: '', params };
}

export function compileChoiceDispatch(spec: ChoiceSpec, resolver: ChoiceResolver): DataValidateFunction {
  const variants = new Map(Object.entries(spec.variants));
  const primitives = new Set(spec.primitives);
  const ignore = new Set(spec.ignore);
  const fn: DataValidateFunction = (data: unknown, cxt?: DataValidationCxt) => {
    fn.errors = undefined;
    const key = String(cxt?.parentDataProperty ?? '');
    if (ignore.has(key)) return true;
    const path = cxt?.instancePath ?? '';
    const sibling = key.startsWith('_');
    const name = sibling ? key.slice(1) : key;
    const type = variants.get(name);
    if (type === undefined || (sibling && !primitives.has(name))) {
      fn.errors = [choiceError(path, { rule: 'unknownVariant', name: key, label: spec.label })];
      return false;
    }
    const validate = sibling ? resolver.primitiveElementValidator() : resolver.validatorForType(type);
    if (validate(data)) return true;
    fn.errors = (validate.errors ?? []).map((e) => choiceError(path + e.instancePath, { inner: innerError(e) }));
    return false;
  };
  return fn;
}

import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { Issue } from '../core/errors';
import { r4ConcreteResourceTypes, r4ElementTree } from '../fhir/element-tree';
import { enumerableValueSetCodes } from '../fhir/value-set-codes';
import { compileChoiceDispatch, type ChoiceSpec } from './choice-dispatch';
import { compileElementRules, type ObjectRules } from './element-rules';
import { errorsToIssues } from './issue-mapper';
import { isBase64, isCalendarDay, isPrimitiveType, primitiveSchema } from './primitives';
import { compileResourceDispatch } from './resource-dispatch';
import { buildDataTypeSchemas, buildResourceSchemas, PRIMITIVE_ELEMENT, schemaId } from './schema-builder';

/**
 * Validation of any JSON value against the FHIR R4 base definitions: structure, primitive
 * formats, cardinality, choice types and required enumerable bindings, with every problem
 * reported as an issue with a FHIRPath expression.
 *
 * The JSON Schemas are generated from the R4 StructureDefinitions: those of the data types when the
 * validator is created, that of a resource type the first time a resource of that type is seen,
 * when ajv also compiles it (data types are compiled once, on first use, and shared by all
 * resource types). `precompile()` does this for every resource type at once.
 */

export interface BaseValidateOptions {
  /** The resource type the resource must have (from the request URL). */
  expectedType?: string;
}

export interface BaseValidator {
  /** All issues found; an empty list means the resource is valid. Issues may include warnings. */
  validate(resource: unknown, options?: BaseValidateOptions): Issue[];
  /** Compiles the validators of all resource types now instead of on first use. */
  precompile(): void;
  /** The concrete R4 resource types this validator knows. */
  readonly resourceTypes: ReadonlySet<string>;
}

function createAjv(): Ajv {
  return new Ajv({
    allErrors: true,
    verbose: true,
    messages: false,
    strict: false,
    validateSchema: false,
    addUsedSchema: false,
    meta: false,
    inlineRefs: true,
    // ajv's code optimisation pass doubles compile time and does not make these validators faster.
    code: { optimize: false, source: false, lines: false },
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function createBaseValidator(): BaseValidator {
  const tree = r4ElementTree();
  const resourceTypes = r4ConcreteResourceTypes();
  const ajv = createAjv();
  const validators = new Map<string, ValidateFunction>();
  const typeValidators = new Map<string, ValidateFunction>();

  const schemaValidator = (id: string): ValidateFunction => {
    const v = ajv.getSchema(id);
    if (!v) throw new Error(`No schema ${id}`);
    return v;
  };

  const validatorFor = (type: string): ValidateFunction => {
    let v = validators.get(type);
    if (!v) {
      const node = tree.get(type);
      if (!node) throw new Error(`Unknown resource type ${type}`);
      for (const schema of buildResourceSchemas(node, enumerableValueSetCodes)) ajv.addSchema(schema);
      v = schemaValidator(schemaId(type));
      validators.set(type, v);
    }
    return v;
  };

  const validatorForType = (type: string): ValidateFunction => {
    let v = typeValidators.get(type);
    if (!v) {
      v = isPrimitiveType(type) ? ajv.compile(primitiveSchema(type)) : schemaValidator(schemaId(type));
      typeValidators.set(type, v);
    }
    return v;
  };
  const choiceResolver = { validatorForType, primitiveElementValidator: () => schemaValidator(PRIMITIVE_ELEMENT) };

  ajv.addKeyword({ keyword: 'fhirType', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'fhirArray', schemaType: 'boolean' });
  ajv.addKeyword({ keyword: 'fhirValueSet', schemaType: 'string' });
  ajv.addKeyword({
    keyword: 'fhirElement',
    type: 'object',
    schemaType: 'object',
    errors: true,
    compile: (rules: ObjectRules) => compileElementRules(rules),
  });
  const dispatch = compileResourceDispatch({ isResourceType: (t) => resourceTypes.has(t), validatorFor });
  ajv.addKeyword({ keyword: 'fhirResource', schemaType: 'boolean', errors: true, compile: () => dispatch });
  ajv.addKeyword({
    keyword: 'fhirChoice',
    schemaType: 'object',
    errors: true,
    compile: (spec: ChoiceSpec) => compileChoiceDispatch(spec, choiceResolver),
  });
  ajv.addFormat('fhir-base64', { type: 'string', validate: isBase64 });
  ajv.addFormat('fhir-calendar', { type: 'string', validate: isCalendarDay });

  for (const schema of buildDataTypeSchemas(tree.values(), enumerableValueSetCodes)) ajv.addSchema(schema);

  function validate(resource: unknown, options: BaseValidateOptions = {}): Issue[] {
    const expected = options.expectedType;
    const root = expected ?? 'Resource';
    if (!isObject(resource)) {
      return [{ severity: 'error', code: 'structure', diagnostics: 'The resource must be a JSON object', expression: [root] }];
    }
    const issues: Issue[] = [];
    const declared = resource.resourceType;
    let type: string | undefined;
    if (declared === undefined) {
      issues.push({ severity: 'error', code: 'required', diagnostics: 'The resource has no resourceType', expression: ['resourceType'] });
      if (expected && resourceTypes.has(expected)) type = expected;
    } else if (typeof declared !== 'string' || !resourceTypes.has(declared)) {
      const shown = typeof declared === 'string' ? `'${declared}'` : JSON.stringify(declared);
      issues.push({ severity: 'error', code: 'invalid', diagnostics: `${shown} is not an R4 resource type`, expression: ['resourceType'] });
      return issues;
    } else {
      type = declared;
      if (expected !== undefined && expected !== declared) {
        issues.push({
          severity: 'error',
          code: 'invalid',
          diagnostics: `The resource type '${declared}' does not match the type '${expected}' of the request`,
          expression: ['resourceType'],
        });
      }
    }
    if (!type) return issues;
    const v = validatorFor(type);
    if (!v(resource)) issues.push(...errorsToIssues(v.errors ?? [], type));
    return issues;
  }

  return {
    validate,
    precompile: () => {
      for (const t of resourceTypes) validatorFor(t);
    },
    resourceTypes,
  };
}

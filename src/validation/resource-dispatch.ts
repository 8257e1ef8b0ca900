import type { DataValidateFunction, DataValidationCxt, ErrorObject, ValidateFunction } from 'ajv/dist/types';

/**
 * The `fhirResource` keyword: an element of type `Resource` (DomainResource.contained,
 * Bundle.entry.resource, Parameters.parameter.resource, ...) is validated against the schema of
 * its own `resourceType`, looked up (and compiled on first use) when the data is seen.
 * Errors of the nested validation are wrapped so that their details survive ajv's handling of
 * keyword errors: `params.inner` is the original error, `instancePath` the full path.
 */

export type DispatchErrorParams =
  | { rule: 'notObject' }
  | { rule: 'missingType' }
  | { rule: 'unknownType'; resourceType: unknown }
  | { inner: ErrorObject };

export interface ResourceResolver {
  isResourceType(name: string): boolean;
  validatorFor(name: string): ValidateFunction;
}

function dispatchError(instancePath: string, params: DispatchErrorParams): Partial<ErrorObject> {
  return { keyword: 'fhirResource', instancePath, schemaPath: '', params };
}

/** The original error behind a (possibly nested) `fhirResource` or `fhirChoice` error. */
export function innerError(e: ErrorObject): ErrorObject {
  const inner = (e.params as { inner?: ErrorObject }).inner;
  return (e.keyword === 'fhirResource' || e.keyword === 'fhirChoice') && inner ? inner : e;
}

export function compileResourceDispatch(resolver: ResourceResolver): DataValidateFunction {
  const fn: DataValidateFunction = (data: unknown, cxt?: DataValidationCxt) => {
    const path = cxt?.instancePath ?? '';
    fn.errors = undefined;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      fn.errors = [dispatchError(path, { rule: 'notObject' })];
      return false;
    }
    const type = (data as { resourceType?: unknown }).resourceType;
    if (type === undefined) {
      fn.errors = [dispatchError(path, { rule: 'missingType' })];
      return false;
    }
    if (typeof type !== 'string' || !resolver.isResourceType(type)) {
      fn.errors = [dispatchError(path, { rule: 'unknownType', resourceType: type })];
      return false;
    }
    const validate = resolver.validatorFor(type);
    if (validate(data)) return true;
    fn.errors = (validate.errors ?? []).map((e) =>
      dispatchError(path + e.instancePath, { inner: innerError(e) }),
    );
    return false;
  };
  return fn;
}

/**
 * A compiled FHIRPath expression: calls `visit(value, type)` for each value it selects, where
 * `value` is the JSON value (primitive, or the object of a complex element) and `type` its FHIR
 * type code (`CodeableConcept`, `dateTime`, `BackboneElement`, `Resource` for resource slots) or
 * undefined when the type is not known.
 */
export type Visit = (value: unknown, type: string | undefined) => void;

export interface Extractor {
  readonly expression: string;
  /** True when compiled to property walks; false when evaluated by the `fhirpath` package. */
  readonly compiled: boolean;
  /** Evaluates on `focus` (default: the resource itself); `resource` is `%resource`. */
  run(resource: object, visit: Visit, focus?: unknown): void;
}

export interface TypedValue {
  value: unknown;
  type: string | undefined;
}

/** All values an extractor selects, with their types (convenience over `run`). */
export function evaluate(extractor: Extractor, resource: object, focus?: unknown): TypedValue[] {
  const out: TypedValue[] = [];
  extractor.run(resource, (value, type) => out.push({ value, type }), focus);
  return out;
}

/** An extractor that selects nothing (parameters without an expression). */
export function emptyExtractor(expression = ''): Extractor {
  return { expression, compiled: true, run() {} };
}

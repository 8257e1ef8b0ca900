import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4';
import type { Extractor } from './extractor';
import { stripNamespace } from './model';
import { referencedType } from './reference-target';

/**
 * Extractors evaluated by the `fhirpath` package, for expressions compile.ts does not handle.
 * The expression is rewritten first (fhirpathExpression): `resolve() is X` becomes a function that
 * decides the target type from the reference itself (as the compiled walks do), and `x as T` /
 * `x.as(T)` become `x.ofType(T)`, the collection semantics search expressions mean (and that the
 * compiled walks have; strict `as` fails on several values). Any other `resolve()` selects
 * nothing, since extraction never reads other resources. An evaluation error selects nothing.
 */

const REF_IS = 'hearthReferenceIs';

/** The resource being indexed, for contained references (evaluation is synchronous). */
let current: unknown;

const userInvocationTable = {
  [REF_IS]: {
    fn: (inputs: unknown[], type: string) => inputs.map((v) => referencedType(v, current) === stripNamespace(type)),
    arity: { 1: ['String' as const] },
  },
  resolve: { fn: () => [], arity: { 0: [] } },
};

/** The expression as given to the `fhirpath` package (see above). */
export function fhirpathExpression(expression: string): string {
  return expression
    .replace(/resolve\(\)\s+is\s+((?:FHIR\.)?[A-Za-z]+)/g, (_m, type: string) => `${REF_IS}('${type}')`)
    .replace(/\s+as\s+((?:FHIR\.|System\.)?[A-Za-z]+)/g, '.ofType($1)')
    .replace(/\.as\(/g, '.ofType(');
}

const SYSTEM_TYPES: Record<string, string> = {
  'System.Boolean': 'boolean',
  'System.String': 'string',
  'System.Integer': 'integer',
  'System.Decimal': 'decimal',
  'System.Date': 'date',
  'System.DateTime': 'dateTime',
  'System.Time': 'time',
};

/** A FHIR type code from a `fhirpath.types()` name (`FHIR.Quantity` → Quantity, `System.String` → string). */
function typeCode(name: string | undefined): string | undefined {
  if (!name) return undefined;
  return SYSTEM_TYPES[name] ?? stripNamespace(name);
}

/**
 * An extractor over the `fhirpath` package. `basePath` is the element path of the focus when it
 * is not the resource (`Observation.component`), so that the model types what it selects.
 */
export function fallbackExtractor(expression: string, basePath?: string): Extractor {
  const source = fhirpathExpression(expression);
  const fn = fhirpath.compile(basePath ? { base: basePath, expression: source } : source, r4Model, {
    resolveInternalTypes: false,
    userInvocationTable,
  });
  return {
    expression,
    compiled: false,
    run(resource, visit, focus = resource) {
      const previous = current;
      current = resource;
      try {
        let raw: unknown[];
        try {
          raw = fn(focus, { resource, rootResource: resource }) as unknown[];
        } catch {
          return;
        }
        for (const item of raw) {
          const [value] = fhirpath.resolveInternalTypes([item]) as unknown[];
          if (value === undefined || value === null) continue;
          visit(value, typeCode(fhirpath.types([item])[0]));
        }
      } finally {
        current = previous;
      }
    },
  };
}

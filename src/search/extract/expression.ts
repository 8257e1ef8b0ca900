import type { Extractor } from './extractor';
import { compilePath } from './compile';
import { fallbackExtractor } from './fallback';
import { namedType, type TypeCtx } from './model';

/**
 * The extractor of a FHIRPath expression evaluated on a resource of type `resourceType` (or on an
 * element of type `context` inside one): compiled to property walks when compile.ts can, else
 * evaluated by the `fhirpath` package. Compile once, run for every resource.
 */
export function compileExpression(expression: string, resourceType: string, context: TypeCtx = namedType(resourceType)): Extractor {
  return compilePath(expression, resourceType, context) ?? fallbackExtractor(expression, context.path === resourceType ? undefined : context.path);
}

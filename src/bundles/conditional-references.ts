import type { Resource } from '@medplum/fhirtypes';
import { errors } from '../core/errors';
import { findMatches } from '../interactions/matches';
import type { InteractionContext } from '../interactions/types';
import { forEachReference, parseConditionalReference } from './references';

/**
 * Resolves the conditional references (`Patient?identifier=…`) of one entry's resource to
 * `Type/id`, adding them to `map` (those already there are kept): no match → 404, several → 412,
 * each naming the reference's path.
 */
export async function resolveConditionalReferences(
  ctx: InteractionContext,
  resource: Resource,
  path: string,
  map: Map<string, string>,
): Promise<void> {
  const found: { value: string; path: string }[] = [];
  forEachReference(resource, path, (r) => {
    if (!map.has(r.value) && parseConditionalReference(r.value)) found.push(r);
  });
  for (const r of found) {
    if (map.has(r.value)) continue;
    const cond = parseConditionalReference(r.value)!;
    const matches = await findMatches(ctx, cond.resourceType, cond.query);
    if (matches.length === 0) throw errors.notFound(`Conditional reference '${r.value}' matches no resource`, [r.path]);
    if (matches.length > 1) throw errors.multipleMatches(`Conditional reference '${r.value}' matches more than one resource`, [r.path]);
    map.set(r.value, `${cond.resourceType}/${matches[0]!.id}`);
  }
}

import { errors, FhirError } from '../core/errors';
import { conditionalCriteria, criteriaWhere } from '../search/conditional';
import type { StoredVersion } from '../storage/repository';
import { resolveCriteriaTerminology } from './terminology-lookup';
import { incompleteError, incompleteIssues } from './search-incomplete';
import type { InteractionContext } from './types';

/** The lock key of conditional criteria: equal for the same criteria in any order. */
export function conditionalLockKey(resourceType: string, criteria: [string, string][]): string {
  return `conditional:${resourceType}?${criteria.map(([n, v]) => `${n}=${v}`).sort().join('&')}`;
}

/**
 * Finds the current resources matching conditional criteria; at most two are needed to tell 0, 1 or
 * many. A transaction lock on the normalized criteria is taken first, so that two racing conditional
 * writes with the same criteria run one after the other and the second sees the first's result.
 */
export async function findMatches(
  ctx: InteractionContext,
  resourceType: string,
  criteria: [string, string][],
  baseUrl = '',
): Promise<StoredVersion[]> {
  const parsed = conditionalCriteria(criteria, resourceType, baseUrl);
  const unresolved = await resolveCriteriaTerminology(ctx.repo, parsed);
  if (unresolved.length > 0) {
    throw new FhirError(400, unresolved.map((u) => ({ severity: 'error' as const, code: 'not-supported' as const, diagnostics: u.message })));
  }
  // A parameter still being reindexed could miss an existing match: refused rather than guessed.
  const incomplete = incompleteIssues(ctx, { types: [resourceType], criteria: parsed });
  if (incomplete.length > 0) throw incompleteError(incomplete);
  const where = criteriaWhere(parsed);
  await ctx.repo.lock(conditionalLockKey(resourceType, criteria));
  return ctx.repo.find(resourceType, where, 2);
}

/** The single match of a conditional interaction that requires at most one; 412 when several. */
export async function findAtMostOne(
  ctx: InteractionContext,
  resourceType: string,
  criteria: [string, string][],
  baseUrl = '',
): Promise<StoredVersion | undefined> {
  const matches = await findMatches(ctx, resourceType, criteria, baseUrl);
  if (matches.length > 1) {
    throw errors.multipleMatches(`The criteria matched more than one ${resourceType}; be more selective`);
  }
  return matches[0];
}

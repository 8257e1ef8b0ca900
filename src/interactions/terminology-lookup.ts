import { FhirError, type IssueCode } from '../core/errors';
import { needsTerminology, resolveTerminology, type TerminologyLookup, type UnresolvedCriterion } from '../search/query/terminology';
import type { Criterion } from '../search/query/types';
import type { Repository } from '../storage/repository';
import { terminology, TerminologyError, type TerminologyProblem } from '../terminology';

/**
 * The terminology service as the search planner's TerminologyLookup: expansions as concept arrays,
 * subsumption as related codes, and terminology failures as 400 answers.
 */

const ISSUE: Record<TerminologyProblem, IssueCode> = { unknown: 'not-found', 'not-expandable': 'not-supported', 'too-large': 'too-costly' };

export function terminologyLookup(repo: Repository): TerminologyLookup {
  const service = terminology(repo);
  return {
    async valueSetConcepts(canonical) {
      try {
        return (await service.expand(canonical)).toArrays();
      } catch (e) {
        if (!(e instanceof TerminologyError)) throw e;
        throw new FhirError(400, { severity: 'error', code: ISSUE[e.problem], diagnostics: `:in / :not-in cannot use ValueSet '${canonical}': ${e.message}` });
      }
    },
    relatedCodes: (system, code, direction) => (direction === 'below' ? service.descendants(system, code) : service.ancestors(system, code)),
  };
}

/** Resolves the terminology-based values of `criteria` over `repo` (nothing to do for most searches). */
export async function resolveCriteriaTerminology(repo: Repository, criteria: readonly Criterion[]): Promise<UnresolvedCriterion[]> {
  return needsTerminology(criteria) ? resolveTerminology(criteria, terminologyLookup(repo)) : [];
}

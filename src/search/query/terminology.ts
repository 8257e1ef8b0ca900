import type { ConceptList, TokenValue } from './token';
import type { Criterion } from './types';
import { Unsupported } from './unsupported';

/**
 * The terminology step between parsing and planning: the token values of :in / :not-in (a ValueSet)
 * and :above / :below (a code in a hierarchy) get the concepts they stand for, looked up through a
 * TerminologyLookup (an adapter over the terminology service, given by the caller). Everywhere in
 * the criteria, chains and _has included.
 */

export interface TerminologyLookup {
  /** The concepts of a ValueSet; rejects with a FhirError (400) when it is unknown or cannot be expanded. */
  valueSetConcepts(canonical: string): Promise<ConceptList>;
  /**
   * The codes below (or above) `code` in `system`, without `code` itself; undefined when the server
   * does not hold the code system completely, so its hierarchy is not known.
   */
  relatedCodes(system: string, code: string, direction: 'above' | 'below'): Promise<string[] | undefined>;
}

/** A top-level criterion that cannot be evaluated, and why. */
export interface UnresolvedCriterion {
  criterion: Criterion;
  message: string;
}

/** Whether any criterion needs the terminology step. */
export function needsTerminology(criteria: readonly Criterion[]): boolean {
  return criteria.some(needs);
}

function needs(c: Criterion): boolean {
  switch (c.kind) {
    case 'value':
      return c.param.type === 'token' && (c.values as TokenValue[]).some((v) => v.kind === 'in' || v.kind === 'subsumption');
    case 'chain':
      return c.inner.some((i) => needs(i.criterion));
    case 'has':
      return needs(c.inner);
    default:
      return false;
  }
}

async function resolveValue(v: TokenValue, name: string, lookup: TerminologyLookup): Promise<void> {
  if (v.kind === 'in') {
    v.concepts = await lookup.valueSetConcepts(v.valueSet);
  } else if (v.kind === 'subsumption') {
    const related = await lookup.relatedCodes(v.system, v.code, v.direction);
    if (!related) {
      throw new Unsupported(`'${name}' needs the hierarchy of code system ${v.system}, which this server does not hold completely`);
    }
    const codes = [v.code, ...related];
    v.concepts = { systems: codes.map(() => v.system), codes };
  }
}

async function resolve(c: Criterion, lookup: TerminologyLookup): Promise<void> {
  switch (c.kind) {
    case 'value':
      if (c.param.type === 'token') for (const v of c.values as TokenValue[]) await resolveValue(v, c.name, lookup);
      return;
    case 'chain':
      for (const i of c.inner) await resolve(i.criterion, lookup);
      return;
    case 'has':
      return resolve(c.inner, lookup);
    default:
      return;
  }
}

/**
 * Fills in the concepts of every terminology-based token value (in place). Returns the top-level
 * criteria that cannot be evaluated (e.g. :below over a code system without a known hierarchy),
 * for the caller to refuse or drop; unknown ValueSets reject with the lookup's 400.
 */
export async function resolveTerminology(criteria: readonly Criterion[], lookup: TerminologyLookup): Promise<UnresolvedCriterion[]> {
  const unresolved: UnresolvedCriterion[] = [];
  for (const criterion of criteria) {
    if (!needs(criterion)) continue;
    try {
      await resolve(criterion, lookup);
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      unresolved.push({ criterion, message: e.message });
    }
  }
  return unresolved;
}

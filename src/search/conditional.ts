import { errors } from '../core/errors';
import type { Sql } from '../storage/sql';
import { AliasCounter, SEARCHED_ROW } from './query/context';
import { parseSearch, strictError } from './query/parse';
import { criteriaPredicate } from './query/predicate';
import type { Criterion } from './query/types';

/**
 * Criteria of conditional interactions (If-None-Exist, conditional update/patch/delete,
 * conditional references in Bundles), as a SQL predicate over the current-resources table `r`.
 *
 * Any search parameter of the type is accepted, with the full search semantics (modifiers,
 * prefixes, chains, _has); comma = OR, repetition = AND. Unknown or unsupported parameters and
 * result parameters are refused with 400 (strict handling, always): a conditional write must
 * never act on a wider match than asked.
 */

const RESULT_PARAMETERS = new Set(['_sort', '_count', '_total', '_summary', '_elements', '_include', '_revinclude', '_contained', '_page', '_type']);

/**
 * The parsed criteria. `baseUrl` tells references to this server from others; without it ('') a
 * reference criterion matches any reference ending in the given type and id. Terminology-based
 * token values (:in, :not-in, :above, :below) still need resolveTerminology (query/terminology.ts).
 */
export function conditionalCriteria(query: [string, string][], resourceType: string, baseUrl = ''): Criterion[] {
  for (const [name] of query) {
    const base = name.split(':')[0]!;
    if (RESULT_PARAMETERS.has(base)) throw errors.badRequest(`'${name}' is not a search criterion and cannot be used in a conditional request`);
  }
  const request = parseSearch(query, { resourceType, baseUrl, now: new Date(), defaultCount: 1, maxCount: 1 });
  if (request.ignored.length > 0) throw strictError(request.ignored);
  if (request.criteria.length === 0) throw errors.badRequest('A conditional request needs at least one search criterion');
  return request.criteria;
}

/** The criteria as a predicate over `r`, once their terminology-based values are resolved. */
export function criteriaWhere(criteria: Criterion[]): Sql {
  return criteriaPredicate(criteria, SEARCHED_ROW, new AliasCounter());
}

/** Criteria without terminology-based values, as a predicate over `r` (see conditionalCriteria). */
export function conditionalWhere(query: [string, string][], resourceType: string, baseUrl = ''): Sql {
  return criteriaWhere(conditionalCriteria(query, resourceType, baseUrl));
}

/** Parses criteria given as a query string, e.g. If-None-Exist: `identifier=sys|123` or `Patient?identifier=...`. */
export function parseCriteria(text: string): [string, string][] {
  const q = text.includes('?') ? text.slice(text.indexOf('?') + 1) : text;
  return [...new URLSearchParams(q).entries()];
}

import { errors } from '../core/errors';
import { sql, join, type Sql } from '../storage/sql';
import { orValues, parseToken, unescape } from './escaping';

/**
 * Criteria of conditional interactions (If-None-Exist, conditional update/patch/delete),
 * as a SQL predicate over the current-resources table `r`.
 *
 * Supported: `_id` and `identifier` (all token forms), comma = OR, repetition = AND.
 * Anything else is refused with 400: a conditional write must never act on a wider match than asked.
 */

const RESULT_PARAMETERS = new Set(['_format', '_pretty']);

function idClause(value: string): Sql {
  const ids = orValues(value).map(unescape);
  return sql`r.id = ANY(${ids})`;
}

function identifierClause(value: string): Sql {
  const alternatives = orValues(value).map((v) => {
    const { system, code } = parseToken(v);
    if (system === null) {
      return sql`EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(r.content->'identifier') = 'array' THEN r.content->'identifier' ELSE '[]'::jsonb END) AS e WHERE e->>'value' = ${code ?? ''} AND NOT (e ? 'system'))`;
    }
    const element: Record<string, string> = {};
    if (system !== undefined) element.system = system;
    if (code !== undefined) element.value = code;
    return sql`r.content @> ${JSON.stringify({ identifier: [element] })}::jsonb`;
  });
  return sql`(${join(alternatives, ' OR ')})`;
}

export function conditionalWhere(query: [string, string][]): Sql {
  const clauses: Sql[] = [];
  for (const [name, value] of query) {
    if (RESULT_PARAMETERS.has(name)) continue;
    if (value === '') throw errors.badRequest(`Search parameter '${name}' has an empty value`);
    if (name === '_id') clauses.push(idClause(value));
    else if (name === 'identifier') clauses.push(identifierClause(value));
    else throw errors.notSupported(`Search parameter '${name}' is not supported in conditional requests (supported: _id, identifier)`);
  }
  if (clauses.length === 0) throw errors.badRequest('A conditional request needs at least one search criterion');
  return join(clauses, ' AND ');
}

/** Parses criteria given as a query string, e.g. If-None-Exist: `identifier=sys|123` or `Patient?identifier=...`. */
export function parseCriteria(text: string): [string, string][] {
  const q = text.includes('?') ? text.slice(text.indexOf('?') + 1) : text;
  return [...new URLSearchParams(q).entries()];
}

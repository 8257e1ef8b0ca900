import { errors } from '../../core/errors';
import { sql, type Sql } from '../../storage/sql';
import { parseToken, splitUnescaped, unescape } from '../escaping';
import type { Columns } from './columns';
import { escapeLike, indexedText, normalizeText } from './normalize';
import { Unsupported } from './unsupported';

/**
 * Token parameters (search.html#token) over idx_token:
 *   code           any system          system|code   that system and code
 *   |code          no system           system|       any code of that system
 *   :not           no value matches (resources without the element included)
 *   :text          the normalized display/text starts with the text (at any word)
 *   :in / :not-in  the (system, code) is (not) in the expansion of a ValueSet
 *   :below         system|code or any code below it in the code system's hierarchy
 *   :above         system|code or any code above it
 *   :of-type       identifier type system|code|value, over the `<code>:of-type` rows the
 *                  extractor writes (system = type system, value = `<type code>|<value>`)
 * :in, :not-in, :above and :below are parsed into what to look up; resolveTerminology
 * (./terminology.ts) fills in the concepts before the SQL is built. For :in / :not-in, rows without
 * a system (codes of `code` elements such as Observation.status) match a concept by its code alone;
 * :above / :below, like system|code, need the system.
 */

export const TOKEN_MODIFIERS = ['not', 'text', 'in', 'not-in', 'above', 'below', 'of-type'] as const;

/** Concepts as two parallel arrays: element i of each is one (system, code). */
export interface ConceptList {
  systems: string[];
  codes: string[];
}

export type TokenValue =
  | { kind: 'code'; system: string | null | undefined; code: string | undefined }
  | { kind: 'text'; text: string }
  | { kind: 'in'; valueSet: string; concepts?: ConceptList }
  | { kind: 'subsumption'; direction: 'above' | 'below'; system: string; code: string; concepts?: ConceptList }
  | { kind: 'of-type'; typeSystem: string; typeCode: string; value: string };

export function parseTokenValue(raw: string, modifier: string | undefined, name: string): TokenValue {
  if (raw === '') throw errors.badRequest(`Parameter '${name}' has an empty value`);
  if (modifier === 'text') return { kind: 'text', text: unescape(raw) };
  if (modifier === 'in' || modifier === 'not-in') return { kind: 'in', valueSet: unescape(raw) };
  if (modifier === 'above' || modifier === 'below') {
    const { system, code } = parseToken(raw);
    if (!system || code === undefined) throw new Unsupported(`'${name}' needs a system|code value (got '${raw}')`);
    return { kind: 'subsumption', direction: modifier, system, code };
  }
  if (modifier === 'of-type') {
    const parts = splitUnescaped(raw, '|');
    if (parts.length !== 3 || parts.some((p) => p === '')) {
      throw errors.badRequest(`Parameter '${name}' expects [type system]|[type code]|[value] (got '${raw}')`);
    }
    return { kind: 'of-type', typeSystem: unescape(parts[0]!), typeCode: unescape(parts[1]!), value: unescape(parts[2]!) };
  }
  const { system, code } = parseToken(raw);
  if (system === null && code === undefined) throw errors.badRequest(`Parameter '${name}' has an empty token '|'`);
  return { kind: 'code', system, code };
}

/** Whether the modifier turns the match into "no value matches". */
export function tokenNegated(modifier: string | undefined): boolean {
  return modifier === 'not' || modifier === 'not-in';
}

/**
 * The row's (system, code) is one of the concepts. With `systemless`, a row without a system matches
 * by its code alone (:in, for codes of `code` elements, which carry no system).
 */
function conceptsCondition(col: Columns, list: ConceptList, systemless: boolean): Sql {
  const codes = list.codes.map(indexedText);
  const systems = list.systems.map(indexedText);
  const orNone = systemless ? sql`${col('system')} IS NULL OR ` : sql``;
  const single = systems.length > 0 && systems.every((s) => s === systems[0]);
  const system = single
    ? sql`(${orNone}${col('system')} = ${systems[0]!})`
    : sql`(${orNone}(${col('system')}, ${col('value')}) IN (SELECT e.system, e.code FROM unnest(${systems}::text[], ${codes}::text[]) AS e(system, code)))`;
  return sql`(${col('value')} = ANY(${codes}::text[]) AND ${system})`;
}

/** The condition over one idx_token row (or composite component), given its columns. */
export function tokenCondition(col: Columns, v: TokenValue): Sql {
  switch (v.kind) {
    case 'text': {
      const p = escapeLike(normalizeText(v.text));
      return sql`(${col('text')} LIKE ${`${p}%`} OR ${col('text')} LIKE ${`% ${p}%`})`;
    }
    case 'in':
    case 'subsumption':
      if (!v.concepts) throw new Error(`token :${v.kind} value used before resolveTerminology filled in its concepts`);
      return conceptsCondition(col, v.concepts, v.kind === 'in');
    case 'of-type':
      return sql`(${col('system')} = ${indexedText(v.typeSystem)} AND ${col('value')} = ${indexedText(`${v.typeCode}|${v.value}`)})`;
    case 'code': {
      const parts: Sql[] = [];
      if (v.code !== undefined) parts.push(sql`${col('value')} = ${indexedText(v.code)}`);
      if (v.system === null) parts.push(sql`${col('system')} IS NULL`);
      else if (v.system !== undefined) parts.push(sql`${col('system')} = ${indexedText(v.system)}`);
      return parts.length === 1 ? parts[0]! : sql`(${parts[0]!} AND ${parts[1]!})`;
    }
  }
}

import { errors } from '../../core/errors';
import { enumerableValueSetCodes } from '../../fhir/value-set-codes';
import { sql, type Sql } from '../../storage/sql';
import { parseToken, splitUnescaped, unescape } from '../escaping';
import type { Columns } from './columns';
import { escapeLike, indexedText, normalizeText } from './normalize';

/**
 * Token parameters (search.html#token) over idx_token:
 *   code           any system          system|code   that system and code
 *   |code          no system           system|       any code of that system
 *   :not           no value matches (resources without the element included)
 *   :text          the normalized display/text starts with the text (at any word)
 *   :in / :not-in  the code is (not) in a ValueSet enumerable from the R4 terminology
 *   :of-type       identifier type system|code|value, over the `<code>:of-type` rows the
 *                  extractor writes (system = type system, value = `<type code>|<value>`)
 */

export const TOKEN_MODIFIERS = ['not', 'text', 'in', 'not-in', 'of-type'] as const;

export type TokenValue =
  | { kind: 'code'; system: string | null | undefined; code: string | undefined }
  | { kind: 'text'; text: string }
  | { kind: 'in'; codes: readonly string[] }
  | { kind: 'of-type'; typeSystem: string; typeCode: string; value: string };

export function parseTokenValue(raw: string, modifier: string | undefined, name: string): TokenValue {
  if (raw === '') throw errors.badRequest(`Parameter '${name}' has an empty value`);
  if (modifier === 'text') return { kind: 'text', text: unescape(raw) };
  if (modifier === 'in' || modifier === 'not-in') {
    const codes = enumerableValueSetCodes(unescape(raw));
    if (!codes) throw errors.notSupported(`ValueSet '${unescape(raw)}' of '${name}' is unknown or cannot be expanded by this server`);
    return { kind: 'in', codes };
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

/** The condition over one idx_token row (or composite component), given its columns. */
export function tokenCondition(col: Columns, v: TokenValue): Sql {
  switch (v.kind) {
    case 'text': {
      const p = escapeLike(normalizeText(v.text));
      return sql`(${col('text')} LIKE ${`${p}%`} OR ${col('text')} LIKE ${`% ${p}%`})`;
    }
    case 'in':
      return sql`${col('value')} = ANY(${v.codes as string[]}::text[])`;
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

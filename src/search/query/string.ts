import { errors } from '../../core/errors';
import { sql, type Sql } from '../../storage/sql';
import { unescape } from '../escaping';
import type { Columns } from './columns';
import { phoneticKey } from '../extract/text';
import { escapeLike, normalizeText } from './normalize';

/**
 * String parameters (search.html#string) over idx_string: by default the normalized value
 * starts with the normalized search text; `:contains` matches anywhere in it; `:exact` compares
 * the original text exactly (case and accents included). Phonetic parameters (e.g. Patient
 * `phonetic`) compare the phonetic key of the search text, taken as one word, with each word's key.
 */

export const STRING_MODIFIERS = ['exact', 'contains'] as const;

export interface StringValue {
  text: string;
  /** For phonetic parameters (xpathUsage phonetic): the phonetic key the index holds instead of the text. */
  phonetic?: string;
}

export function parseStringValue(raw: string, name: string, phonetic: boolean): StringValue {
  const text = unescape(raw);
  if (text === '') throw errors.badRequest(`Parameter '${name}' has an empty value`);
  return phonetic ? { text, phonetic: phoneticKey(text) } : { text };
}

/** The condition over one idx_string row (or composite component), given its columns. */
export function stringCondition(col: Columns, v: StringValue, modifier: string | undefined): Sql {
  if (modifier === 'exact') return sql`${col('exact')} = ${v.text}`;
  if (v.phonetic !== undefined) return sql`${col('value')} = ${v.phonetic}`;
  const pattern = escapeLike(normalizeText(v.text));
  if (modifier === 'contains') return sql`${col('value')} LIKE ${`%${pattern}%`}`;
  return sql`${col('value')} LIKE ${`${pattern}%`}`;
}

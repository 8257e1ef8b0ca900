import { errors } from '../../core/errors';
import { sql, type Sql } from '../../storage/sql';
import { unescape } from '../escaping';
import { escapeLike, indexedText } from './normalize';

/**
 * URI parameters (search.html#uri) over idx_uri: exact match by default; `:below` matches the
 * URI and every URI under it (path segments below), `:above` the URI and every URI it lies under.
 */

export const URI_MODIFIERS = ['above', 'below'] as const;

export interface UriValue {
  uri: string;
}

export function parseUriValue(raw: string, name: string): UriValue {
  const uri = unescape(raw);
  if (uri === '') throw errors.badRequest(`Parameter '${name}' has an empty value`);
  return { uri };
}

/** The condition over one index row's URI column `column`. */
export function uriCondition(column: Sql, v: UriValue, modifier: string | undefined): Sql {
  const base = v.uri.replace(/\/+$/, '');
  if (modifier === 'below') return sql`(${column} = ${v.uri} OR ${column} LIKE ${`${escapeLike(base)}/%`})`;
  if (modifier === 'above') {
    return sql`(${column} = ${v.uri} OR (${column} <> '' AND ${`${base}/`} LIKE replace(replace(replace(rtrim(${column}, '/'), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '/%'))`;
  }
  return sql`${column} = ${indexedText(v.uri)}`;
}

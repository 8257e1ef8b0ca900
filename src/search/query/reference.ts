import { errors } from '../../core/errors';
import { isResourceType } from '../../fhir/resource-types';
import { sql, type Sql } from '../../storage/sql';
import { unescape } from '../escaping';
import { isLocal } from './local';
import { indexedText } from './normalize';
import { parseTokenValue, tokenCondition, type TokenValue } from './token';
import type { Columns } from './columns';
import type { ParseContext } from './context';
import { Unsupported } from './unsupported';
import { uriCondition } from './uri';

/**
 * Reference parameters (search.html#reference) over idx_reference:
 *   id                   any target type with that id (`:Type` narrows it to one type)
 *   Type/id              that resource (also `Type/id/_history/v`: that version)
 *   [base]/Type/id       the same, when [base] is this server (references to other servers
 *                        ending in Type/id do not match these three forms)
 *   other absolute URL   that URL (canonical references may add `|version`)
 *   :identifier          Reference.identifier as a token (system|value), over the idx_token rows
 *                        `<code>:identifier` the extractor writes
 *   :below / :above      absolute (canonical) URLs only: the URL and those under it / above it,
 *                        by path segment, as for uri parameters (versions are not compared)
 * Absolute URLs are cut to the indexed length as the extractor cuts them.
 */

export type ReferenceValue =
  | { kind: 'local'; type?: string; id: string; version?: string; base: string }
  | { kind: 'url'; url: string; version?: string }
  | { kind: 'url-tree'; url: string; modifier: 'above' | 'below' }
  | { kind: 'identifier'; token: TokenValue };

const LOCAL = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

export function parseReferenceValue(raw: string, modifier: string | undefined, name: string, ctx: ParseContext): ReferenceValue {
  if (raw === '') throw errors.badRequest(`Parameter '${name}' has an empty value`);
  if (modifier === 'identifier') {
    return { kind: 'identifier', token: parseTokenValue(raw, undefined, name) };
  }
  if (modifier === 'above' || modifier === 'below') {
    const url = unescape(raw);
    if (!/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith(`${ctx.baseUrl}/`) || url.includes('|')) {
      throw new Unsupported(`'${name}' applies to canonical URLs without a version only (got '${raw}')`);
    }
    return { kind: 'url-tree', url, modifier };
  }
  const typeModifier = modifier && isResourceType(modifier) ? modifier : undefined;
  let text = unescape(raw);
  if (text.startsWith(`${ctx.baseUrl}/`)) text = text.slice(ctx.baseUrl.length + 1);
  const local = LOCAL.exec(text);
  if (local && isResourceType(local[1]!)) {
    if (typeModifier && typeModifier !== local[1]) {
      throw errors.badRequest(`Parameter '${name}' names type ${typeModifier} but the value refers to a ${local[1]}`);
    }
    return { kind: 'local', type: local[1]!, id: local[2]!, ...(local[3] ? { version: local[3] } : {}), base: ctx.baseUrl };
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(text)) {
    const bar = text.lastIndexOf('|');
    return bar > 0 ? { kind: 'url', url: text.slice(0, bar), version: text.slice(bar + 1) } : { kind: 'url', url: text };
  }
  if (!ID.test(text)) throw errors.badRequest(`Invalid reference '${raw}' for parameter '${name}'`);
  return { kind: 'local', ...(typeModifier ? { type: typeModifier } : {}), id: text, base: ctx.baseUrl };
}

/** The condition over one idx_reference row (or composite component), given its columns; for :identifier over an idx_token row. */
export function referenceCondition(col: Columns, v: ReferenceValue): Sql {
  switch (v.kind) {
    case 'local': {
      let cond = sql`${col('target_id')} = ${v.id}`;
      if (v.type) cond = sql`${cond} AND ${col('target_type')} = ${v.type}`;
      if (v.version) cond = sql`${cond} AND ${col('target_version')} = ${v.version}`;
      if (v.base !== '') cond = sql`${cond} AND ${isLocal(col('target_url'), v.base)}`;
      return sql`(${cond})`;
    }
    case 'url':
      return v.version === undefined
        ? sql`${col('target_url')} = ${indexedText(v.url)}`
        : sql`(${col('target_url')} = ${indexedText(v.url)} AND ${col('target_version')} = ${v.version})`;
    case 'url-tree':
      return uriCondition(col('target_url'), { uri: v.url }, v.modifier);
    case 'identifier':
      return tokenCondition(col, v.token);
  }
}

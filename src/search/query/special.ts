import { errors } from '../../core/errors';
import { sql, type Sql } from '../../storage/sql';
import { unescape } from '../escaping';
import type { AliasCounter, ParseContext, Subject } from './context';
import { isLocal } from './local';
import { dateCondition, parseDateValue, type DateValue } from './date';
import type { SpecialCriterion } from './types';
import { anyOf } from './value-types';

/**
 * Parameters evaluated on the resource row rather than on the index tables:
 *   _id           the logical id (`:not` excludes)
 *   _lastUpdated  meta.lastUpdated, a date parameter over a single instant
 *   _text         full text of the narrative (text.div); `_content` full text of the whole resource,
 *                 both with PostgreSQL text search (`websearch_to_tsquery` syntax: words, "phrases", or, -not)
 *   _list         members of a List (search.html#list): the List's `item` references
 */

export const SPECIAL_MODIFIERS: Record<SpecialCriterion['code'], readonly string[]> = {
  _id: ['not'],
  _lastUpdated: [],
  _text: [],
  _content: [],
  _list: [],
};

export function parseSpecialValue(code: SpecialCriterion['code'], raw: string, name: string, ctx: ParseContext): unknown {
  if (code === '_lastUpdated') return parseDateValue(raw, ctx, name);
  const text = unescape(raw);
  if (text === '') throw errors.badRequest(`Parameter '${name}' has an empty value`);
  return text;
}

/** Runs `build` over the subject's resources row: in place when it is in scope, else through a subquery. */
function onRow(subject: Subject, aliases: AliasCounter, build: (row: Sql) => Sql): Sql {
  if (subject.row) return build(subject.row);
  const row = aliases.next('rr');
  return sql`EXISTS (SELECT 1 FROM resources ${row} WHERE ${row}.resource_type = ${subject.type} AND ${row}.id = ${subject.id} AND NOT ${row}.deleted AND ${build(row)})`;
}

export function specialPredicate(c: SpecialCriterion, subject: Subject, aliases: AliasCounter): Sql {
  switch (c.code) {
    case '_id': {
      const match = sql`${subject.id} = ANY(${c.values as string[]}::text[])`;
      return c.modifier === 'not' ? sql`NOT (${match})` : match;
    }
    case '_lastUpdated':
      return onRow(subject, aliases, (row) => anyOf((c.values as DateValue[]).map((v) => dateCondition(sql`${row}.last_updated`, sql`${row}.last_updated`, v))));
    case '_text':
      return onRow(subject, aliases, (row) =>
        anyOf((c.values as string[]).map((v) => sql`to_tsvector('simple', coalesce(${row}.content->'text'->>'div', '')) @@ websearch_to_tsquery('simple', ${v})`)),
      );
    case '_content':
      return onRow(subject, aliases, (row) =>
        anyOf((c.values as string[]).map((v) => sql`jsonb_to_tsvector('simple', ${row}.content, '["string"]') @@ websearch_to_tsquery('simple', ${v})`)),
      );
    case '_list': {
      const l = aliases.next('l');
      return sql`EXISTS (SELECT 1 FROM idx_reference ${l} WHERE ${l}.resource_type = 'List' AND ${l}.code = 'item'
        AND ${l}.id = ANY(${c.values as string[]}::text[]) AND ${l}.target_type = ${subject.type} AND ${l}.target_id = ${subject.id}
        AND ${isLocal(sql`${l}.target_url`, c.base)})`;
    }
  }
}

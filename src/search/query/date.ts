import { errors } from '../../core/errors';
import { sql, type Sql } from '../../storage/sql';
import { unescape } from '../escaping';
import { dateRange as instantRange } from '../extract/dates';
import type { ParseContext } from './context';
import { splitPrefix } from './prefix';
import type { Prefix } from './types';

/**
 * Date parameters (search.html#date). A search value stands for the range its precision implies
 * (`2020` is all of 2020), as the indexed values do ([low, high], inclusive instants; an open
 * bound is stored as ±infinity). Prefixes compare the two ranges as search.html#prefix defines:
 *   eq  the search range fully contains the target range
 *   ne  it does not
 *   gt  the range above the search value overlaps the target      (target high > search high)
 *   lt  the range below the search value overlaps the target      (target low < search low)
 *   ge  gt, or eq;  le  lt, or eq
 *   sa  the target starts after the search range                  (target low > search high)
 *   eb  the target ends before the search range                   (target high < search low)
 *   ap  the ranges overlap, the search range widened by 10% of its distance from now
 */

export interface DateValue {
  prefix: Prefix;
  /** Inclusive bounds, ISO instants with millisecond precision. */
  low: string;
  high: string;
}

/** The inclusive instant range of a FHIR date, dateTime or instant, as the index holds it (../extract/dates.ts). */
export function dateRange(text: string): { low: string; high: string } | undefined {
  const r = instantRange(text);
  return r ? { low: new Date(r.low).toISOString(), high: new Date(r.high).toISOString() } : undefined;
}

export function parseDateValue(raw: string, ctx: ParseContext, name: string): DateValue {
  const { prefix, rest } = splitPrefix(unescape(raw));
  // A `+` of a time zone offset left unencoded in the URL arrives as a space.
  const range = dateRange(rest.replace(/ (\d\d:\d\d)$/, '+$1'));
  if (!range) throw errors.badRequest(`Invalid date '${raw}' for parameter '${name}' (expected [prefix]YYYY[-MM[-DD[Thh:mm[:ss[.sss]][Z|±hh:mm]]]])`);
  if (prefix !== 'ap') return { prefix, ...range };
  const low = Date.parse(range.low);
  const high = Date.parse(range.high);
  const slack = Math.round(0.1 * Math.abs(ctx.now.getTime() - (low + high) / 2));
  return { prefix, low: new Date(low - slack).toISOString(), high: new Date(high + slack).toISOString() };
}

/**
 * The condition for one date value over a target range given by SQL expressions. Open bounds are
 * ±infinity (as the index stores them), so plain comparisons hold for them.
 */
export function dateCondition(low: Sql, high: Sql, v: DateValue): Sql {
  const L = sql`${v.low}::timestamptz`;
  const H = sql`${v.high}::timestamptz`;
  const contained = sql`(${low} >= ${L} AND ${high} <= ${H})`;
  switch (v.prefix) {
    case 'eq':
      return contained;
    case 'ne':
      return sql`(${low} < ${L} OR ${high} > ${H})`;
    case 'gt':
      return sql`${high} > ${H}`;
    case 'lt':
      return sql`${low} < ${L}`;
    case 'ge':
      return sql`(${high} > ${H} OR ${contained})`;
    case 'le':
      return sql`(${low} < ${L} OR ${contained})`;
    case 'sa':
      return sql`${low} > ${H}`;
    case 'eb':
      return sql`${high} < ${L}`;
    case 'ap':
      return sql`(${low} <= ${H} AND ${high} >= ${L})`;
  }
}

import { errors } from '../../core/errors';
import { sql, type Sql } from '../../storage/sql';
import { splitUnescaped, unescape } from '../escaping';
import type { Columns } from './columns';
import { numberCondition, numberRange, type NumberValue } from './number';
import { splitPrefix } from './prefix';

/**
 * Quantity parameters (search.html#quantity) over idx_quantity: `[prefix]number[|system|code]`.
 * The number compares as a number parameter does (implicit precision without a prefix);
 * `system|code` must both match, `||code` matches the unit code in any system. Units are
 * compared as written (no UCUM conversion).
 */

export interface QuantityValue {
  number: NumberValue;
  system?: string;
  unit?: string;
}

export function parseQuantityValue(raw: string, name: string): QuantityValue {
  const parts = splitUnescaped(raw, '|');
  if (parts.length !== 1 && parts.length !== 3) {
    throw errors.badRequest(`Invalid quantity '${raw}' for parameter '${name}' (expected [prefix]number[|system|code])`);
  }
  const { prefix, rest } = splitPrefix(unescape(parts[0]!));
  const range = numberRange(rest);
  if (!range) throw errors.badRequest(`Invalid quantity '${raw}' for parameter '${name}'`);
  const out: QuantityValue = { number: { prefix, ...range } };
  if (parts.length === 3) {
    if (parts[1] !== '') out.system = unescape(parts[1]!);
    if (parts[2] !== '') out.unit = unescape(parts[2]!);
  }
  return out;
}

/** The condition over one idx_quantity row (or composite component), given its columns. */
export function quantityCondition(col: Columns, v: QuantityValue): Sql {
  let cond = numberCondition(col('value', 'numeric'), col('low', 'numeric'), col('high', 'numeric'), v.number);
  if (v.system !== undefined) cond = sql`${cond} AND ${col('system')} = ${v.system}`;
  if (v.unit !== undefined) cond = sql`${cond} AND ${col('unit')} = ${v.unit}`;
  return sql`(${cond})`;
}

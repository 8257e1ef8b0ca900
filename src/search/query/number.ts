import { errors } from '../../core/errors';
import { sql, type Sql } from '../../storage/sql';
import { unescape } from '../escaping';
import { splitPrefix } from './prefix';
import type { Prefix } from './types';

/**
 * Number parameters (search.html#number), also the numeric part of quantities. Without a prefix
 * (or with eq/ne/ap) the value carries implicit precision: `100` means [99.5, 100.5), `100.00`
 * means [99.995, 100.005). gt, lt, ge, le, sa and eb compare with the exact value. ap accepts
 * values within 10% of the search value (or its precision range, whichever is wider).
 * The target's value is compared; a target that is only a range (value NULL) uses its bounds.
 */

export interface NumberValue {
  prefix: Prefix;
  /** The number as written (exact decimal text, bound as numeric). */
  value: string;
  /** Half the unit of its last significant digit: the range is [value - half, value + half). */
  half: string;
}

const NUMBER = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** Parses a number and its precision (as decimal text PostgreSQL reads as numeric); undefined when malformed. */
export function numberRange(text: string): { value: string; half: string } | undefined {
  const m = NUMBER.exec(text);
  if (!m) return undefined;
  const decimals = (m[3] ?? '').length;
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  if (Math.abs(exponent) > 300) return undefined;
  return { value: text, half: `5e${exponent - decimals - 1}` };
}

export function parseNumberValue(raw: string, name: string): NumberValue {
  const { prefix, rest } = splitPrefix(unescape(raw));
  const parsed = numberRange(rest);
  if (!parsed) throw errors.badRequest(`Invalid number '${raw}' for parameter '${name}'`);
  return { prefix, ...parsed };
}

/** The condition for one number value over a target's value and range columns. */
export function numberCondition(value: Sql, low: Sql, high: Sql, v: NumberValue): Sql {
  const n = sql`${v.value}::numeric`;
  const half = sql`${v.half}::numeric`;
  const lo = sql`coalesce(${value}, ${low})`;
  const hi = sql`coalesce(${value}, ${high})`;
  const inRange = sql`(${lo} >= ${n} - ${half} AND ${hi} < ${n} + ${half})`;
  switch (v.prefix) {
    case 'eq':
      return inRange;
    case 'ne':
      return sql`NOT ${inRange}`;
    case 'gt':
    case 'sa':
      return sql`${hi} > ${n}`;
    case 'lt':
    case 'eb':
      return sql`${lo} < ${n}`;
    case 'ge':
      return sql`${hi} >= ${n}`;
    case 'le':
      return sql`${lo} <= ${n}`;
    case 'ap': {
      const tolerance = sql`greatest(abs(${n}) * 0.1, ${half})`;
      return sql`(${hi} >= ${n} - ${tolerance} AND ${lo} <= ${n} + ${tolerance})`;
    }
  }
}

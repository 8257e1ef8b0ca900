import type { Prefix } from './types';

/** Comparison prefixes of ordered parameter types (search.html#prefix). */
export const PREFIXES: readonly Prefix[] = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'];

/** Splits a leading prefix off a date, number or quantity value; `eq` when there is none. */
export function splitPrefix(value: string): { prefix: Prefix; rest: string } {
  const head = value.slice(0, 2);
  if ((PREFIXES as readonly string[]).includes(head) && value.length > 2 && !/^[a-z]/.test(value.slice(2))) {
    return { prefix: head as Prefix, rest: value.slice(2) };
  }
  return { prefix: 'eq', rest: value };
}

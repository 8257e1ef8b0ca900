import { dateRange, instantText, NEG_INFINITY, POS_INFINITY, type InstantRange } from './dates';
import type { Normalizer } from './sink';
import { typeOf } from './shape';

/**
 * Rows of a date parameter (idx_date: code, low, high): the inclusive instant range of the value
 * (see dates.ts), as instant text. Period: [start's low, end's high], an open end being
 * '-infinity' / 'infinity'. Timing: one row from the earliest event (or repeat.boundsPeriod start)
 * to the latest event (or boundsPeriod end). Values that are not valid dates give no row.
 */

function periodRange(p: Record<string, unknown>): { low: number; high: number; openLow: boolean; openHigh: boolean } | undefined {
  const start = typeof p.start === 'string' ? dateRange(p.start) : undefined;
  const end = typeof p.end === 'string' ? dateRange(p.end) : undefined;
  if (!start && !end) return undefined;
  return { low: start?.low ?? -Infinity, high: end?.high ?? Infinity, openLow: !start, openHigh: !end };
}

function timingRange(t: Record<string, unknown>): InstantRange | undefined {
  let low = Infinity;
  let high = -Infinity;
  const widen = (r: { low: number; high: number } | undefined): void => {
    if (!r) return;
    low = Math.min(low, r.low);
    high = Math.max(high, r.high);
  };
  if (Array.isArray(t.event)) for (const e of t.event) if (typeof e === 'string') widen(dateRange(e));
  const bounds = (t.repeat as Record<string, unknown> | undefined)?.boundsPeriod;
  if (bounds && typeof bounds === 'object') widen(periodRange(bounds as Record<string, unknown>));
  return low === Infinity && high === -Infinity ? undefined : { low, high };
}

const text = (ms: number): string => (ms === -Infinity ? NEG_INFINITY : ms === Infinity ? POS_INFINITY : instantText(ms));

export function dateNormalizer(code: string): Normalizer {
  return (value, type, sink) => {
    let r: InstantRange | undefined;
    if (typeof value === 'string') {
      r = dateRange(value);
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const t = typeOf(value, type);
      if (t === 'Period') r = periodRange(value as Record<string, unknown>);
      else if (t === 'Timing') r = timingRange(value as Record<string, unknown>);
    }
    if (r) sink.idx_date.push([code, text(r.low), text(r.high)]);
  };
}

/**
 * FHIR date, dateTime and instant values as the inclusive range of instants they cover at their
 * precision: `2020` → [2020-01-01T00:00:00.000Z, 2020-12-31T23:59:59.999Z], `2020-02-03T10:00+02:00`
 * → the whole minute. Values without a time zone (dates, and times written without one) are
 * read as UTC. Fractional seconds with fewer than three digits cover their tenth/hundredth.
 */

export interface InstantRange {
  /** Epoch milliseconds, inclusive. */
  readonly low: number;
  readonly high: number;
}

const DATE =
  /^(\d{4})(?:-(\d\d)(?:-(\d\d)(?:T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?(Z|[+-]\d\d:\d\d)?)?)?)?$/;

function utc(year: number, month: number, day: number, h = 0, m = 0, s = 0, ms = 0): number {
  if (year >= 100) return Date.UTC(year, month, day, h, m, s, ms);
  // Date.UTC reads years 0-99 as 1900-1999.
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  d.setUTCHours(h, m, s, ms);
  return d.getTime();
}

function offsetMs(zone: string | undefined): number {
  if (!zone || zone === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
}

let lastValue: string | undefined;
let lastRange: InstantRange | undefined;

/** The range a date/dateTime/instant string covers, or undefined when it is not one. */
export function dateRange(value: string): InstantRange | undefined {
  // Several parameters often index the same value in a row (date, code-value-date, ...).
  if (value !== lastValue) {
    lastRange = parseRange(value);
    lastValue = value;
  }
  return lastRange;
}

function parseRange(value: string): InstantRange | undefined {
  const m = DATE.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  if (m[2] === undefined) return { low: utc(year, 0, 1), high: utc(year + 1, 0, 1) - 1 };
  const month = Number(m[2]);
  if (month < 1 || month > 12) return undefined;
  if (m[3] === undefined) return { low: utc(year, month - 1, 1), high: utc(year, month, 1) - 1 };
  const day = Number(m[3]);
  if (day < 1 || day > 31 || utc(year, month - 1, day) >= utc(year, month, 1)) return undefined;
  if (m[4] === undefined) return { low: utc(year, month - 1, day), high: utc(year, month - 1, day + 1) - 1 };
  const [h, min, s] = [Number(m[4]), Number(m[5]), m[6] === undefined ? undefined : Number(m[6])];
  if (h > 23 || min > 59 || (s !== undefined && s > 60)) return undefined;
  const fraction = m[7] ?? '';
  const ms = Number((fraction + '000').slice(0, 3));
  const low = utc(year, month - 1, day, h, min, s ?? 0, ms) - offsetMs(m[8]);
  let span: number;
  if (s === undefined) span = 60_000;
  else if (fraction.length >= 3) span = 1;
  else span = 10 ** (3 - fraction.length);
  return { low, high: low + span - 1 };
}

/** Extremes used for open ends of a Period, as stored in idx_date (timestamptz accepts them). */
export const NEG_INFINITY = '-infinity';
export const POS_INFINITY = 'infinity';

/** An instant in epoch milliseconds as FHIR instant text (UTC, milliseconds). */
export function instantText(ms: number): string {
  return new Date(ms).toISOString();
}

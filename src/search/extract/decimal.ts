/**
 * Decimal values with the range implied by their precision (search.html, "number"): 100 →
 * [99.5, 100.5], 1.50 → [1.495, 1.505] — half a unit of the last digit either side, computed
 * exactly (BigInt), as decimal strings for numeric columns.
 *
 * JSON numbers lose trailing zeros when parsed (1.50 arrives as 1.5), so the precision is that of
 * the shortest form of the parsed number. A number written with an exponent (1e2) counts its
 * significant digits (1e2 → [50, 150]).
 */

export interface DecimalRange {
  readonly value: string;
  readonly low: string;
  readonly high: string;
}

interface Digits {
  negative: boolean;
  /** All digits as an integer. */
  digits: bigint;
  /** Power of ten of the last digit (-2 for 1.50's 0, 2 for 1e2's 1). */
  exponent: number;
}

function parse(text: string): Digits | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return undefined;
  const frac = m[3] ?? '';
  return { negative: m[1] === '-', digits: BigInt(m[2]! + frac), exponent: Number(m[4] ?? 0) - frac.length };
}

/** Formats sign × digits × 10^exponent as a plain decimal string. */
function format(negative: boolean, digits: bigint, exponent: number): string {
  let s = (digits < 0n ? -digits : digits).toString();
  const neg = negative !== digits < 0n && digits !== 0n;
  if (exponent >= 0) {
    s = digits === 0n ? '0' : s + '0'.repeat(exponent);
  } else {
    const places = -exponent;
    s = s.padStart(places + 1, '0');
    s = `${s.slice(0, s.length - places)}.${s.slice(s.length - places)}`;
  }
  return neg ? `-${s}` : s;
}

let lastValue: unknown;
let lastRange: DecimalRange | undefined;

/** The value and its precision range, or undefined when `value` is not a finite number. */
export function decimalRange(value: unknown): DecimalRange | undefined {
  // Several parameters often index the same value in a row (value-quantity, code-value-quantity, ...).
  if (value !== lastValue || lastValue === undefined) {
    lastRange = computeRange(value);
    lastValue = value;
  }
  return lastRange;
}

function computeRange(value: unknown): DecimalRange | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return undefined;
  }
  const d = parse(text);
  if (!d) return undefined;
  // In units of a tenth of the last digit: value ± 5.
  const scaled = d.digits * 10n;
  const low = d.negative ? -scaled - 5n : scaled - 5n;
  const high = d.negative ? -scaled + 5n : scaled + 5n;
  return {
    value: format(d.negative, d.digits, d.exponent),
    low: format(false, low, d.exponent - 1),
    high: format(false, high, d.exponent - 1),
  };
}

/** A number as a plain decimal string (no exponent), or undefined when it is not one. */
export function decimalText(value: unknown): string | undefined {
  return decimalRange(value)?.value;
}

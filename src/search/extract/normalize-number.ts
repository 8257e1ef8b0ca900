import { decimalRange } from './decimal';
import type { IndexSink, Normalizer } from './sink';
import { QUANTITY_TYPES, typeOf } from './shape';
import { indexedText } from './text';

/**
 * Rows of number parameters (idx_number: code, value, low, high) and quantity parameters
 * (idx_quantity: code, system, unit, value, low, high), with [low, high] the precision range of
 * the value (decimal.ts); all numbers are exact decimal strings.
 * - Quantity (and Age, Duration, ...): system, unit = code (UCUM code) or else unit; when both
 *   code and unit are present and differ, a second row (null, unit) for `value||unit` searches.
 *   A comparator opens one side: `<`/`<=` → low null, `>`/`>=` → high null.
 * - Money: system `urn:iso:std:iso:4217`, unit = currency.
 * - Range: value null, low/high = low.value/high.value as written (null when absent).
 * - a plain number: system and unit null.
 * SampledData and values without a number give no row.
 */

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? indexedText(v) : null);
const CURRENCY_SYSTEM = 'urn:iso:std:iso:4217';

export function numberNormalizer(code: string): Normalizer {
  return (value, _type, sink) => {
    const v = value !== null && typeof value === 'object' ? (value as Record<string, unknown>).value : value;
    const r = decimalRange(v);
    if (r) sink.idx_number.push([code, r.value, r.low, r.high]);
  };
}

function quantityRows(code: string, q: Record<string, unknown>, sink: IndexSink, money: boolean): void {
  const r = decimalRange(q.value);
  if (!r) return;
  const cmp = q.comparator;
  const low = cmp === '<' || cmp === '<=' ? null : r.low;
  const high = cmp === '>' || cmp === '>=' ? null : r.high;
  if (money) {
    sink.idx_quantity.push([code, CURRENCY_SYSTEM, str(q.currency), r.value, low, high]);
    return;
  }
  const unitCode = str(q.code);
  const unit = str(q.unit);
  sink.idx_quantity.push([code, str(q.system), unitCode ?? unit, r.value, low, high]);
  if (unitCode !== null && unit !== null && unit !== unitCode) sink.idx_quantity.push([code, null, unit, r.value, low, high]);
}

function rangeRow(code: string, range: Record<string, unknown>, sink: IndexSink): void {
  const lowQ = range.low as Record<string, unknown> | undefined;
  const highQ = range.high as Record<string, unknown> | undefined;
  const low = decimalRange(lowQ?.value)?.value ?? null;
  const high = decimalRange(highQ?.value)?.value ?? null;
  if (low === null && high === null) return;
  const unitOf = (q: Record<string, unknown> | undefined) => str(q?.code) ?? str(q?.unit);
  sink.idx_quantity.push([code, str(lowQ?.system) ?? str(highQ?.system), unitOf(lowQ) ?? unitOf(highQ), null, low, high]);
}

export function quantityNormalizer(code: string): Normalizer {
  return (value, type, sink) => {
    if (typeof value === 'number' || typeof value === 'string') {
      const r = decimalRange(value);
      if (r) sink.idx_quantity.push([code, null, null, r.value, r.low, r.high]);
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    const obj = value as Record<string, unknown>;
    const t = typeOf(value, type);
    if (t === 'Money') quantityRows(code, obj, sink, true);
    else if (t === 'Range') rangeRow(code, obj, sink);
    else if (t !== undefined && QUANTITY_TYPES.has(t)) quantityRows(code, obj, sink, false);
  };
}

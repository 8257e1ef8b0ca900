import { decimalText } from './decimal';
import type { IndexSink, Normalizer } from './sink';
import { QUANTITY_TYPES, typeOf } from './shape';
import { indexedText, normalizeText } from './text';

/**
 * Rows of a token parameter (idx_token: code, system, value, text):
 * - Coding: system, code, folded display;
 * - CodeableConcept: a row per coding, plus (null, null, folded text) when `text` differs from
 *   every coding's display — rows with a null value exist only for :text;
 * - Identifier: system, value, folded type.text; and for :of-type one more row per type coding,
 *   code `<code>:of-type`, system = the type coding's system, value = `<type code>|<identifier value>`;
 * - ContactPoint: ContactPoint.system (phone, email, ...) as system, value;
 * - Quantity: system and code (unit code);
 * - code, string, id, uri and other primitives: (null, value, null); booleans `true`/`false`;
 *   numbers as plain decimals.
 * System and value are cut to MAX_INDEXED_LENGTH (text.ts).
 */

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? indexedText(v) : null);
const folded = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? normalizeText(v) : null);

export function tokenNormalizer(code: string): Normalizer {
  const ofTypeCode = `${code}:of-type`;
  const push = (sink: IndexSink, system: string | null, value: string | null, text: string | null): void => {
    if (system !== null || value !== null || text !== null) sink.idx_token.push([code, system, value, text]);
  };
  const coding = (c: Record<string, unknown>, sink: IndexSink): void => push(sink, str(c.system), str(c.code), folded(c.display));
  const concept = (cc: Record<string, unknown>, sink: IndexSink): void => {
    const text = folded(cc.text);
    let textSeen = text === null;
    if (Array.isArray(cc.coding)) {
      for (const c of cc.coding) {
        if (!c || typeof c !== 'object') continue;
        coding(c as Record<string, unknown>, sink);
        if (!textSeen && folded((c as Record<string, unknown>).display) === text) textSeen = true;
      }
    }
    if (!textSeen) push(sink, null, null, text);
  };
  const identifier = (id: Record<string, unknown>, sink: IndexSink): void => {
    const type = id.type as Record<string, unknown> | undefined;
    const value = str(id.value);
    push(sink, str(id.system), value, folded(type?.text));
    if (value === null || !type || !Array.isArray(type.coding)) return;
    for (const c of type.coding as Record<string, unknown>[]) {
      if (c && typeof c.code === 'string') sink.idx_token.push([ofTypeCode, str(c.system), indexedText(`${c.code}|${id.value as string}`), null]);
    }
  };
  return (value, type, sink) => {
    if (typeof value === 'string') return push(sink, null, str(value), null);
    if (typeof value === 'boolean') return push(sink, null, String(value), null);
    if (typeof value === 'number') return push(sink, null, decimalText(value) ?? null, null);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    const obj = value as Record<string, unknown>;
    const t = typeOf(value, type);
    if (t === 'CodeableConcept') return concept(obj, sink);
    if (t === 'Identifier') return identifier(obj, sink);
    if (t === 'ContactPoint') return push(sink, str(obj.system), str(obj.value), null);
    if (t === 'Coding' || (t !== undefined && QUANTITY_TYPES.has(t))) return coding(obj, sink);
  };
}

import type { IndexSink, Normalizer } from './sink';
import { typeOf } from './shape';
import { normalizeText, phoneticKey } from './text';

/**
 * Rows of a string parameter (idx_string: code, value, exact): one per piece of text, `value` the
 * folded text (normalizeText) or, for phonetic parameters, the phoneticKey of each word;
 * `exact` the text as written. HumanName and Address give one row per part; other complex
 * values give one row per direct string property.
 */

const NAME_PARTS = ['family', 'given', 'prefix', 'suffix', 'text'];
const ADDRESS_PARTS = ['line', 'city', 'district', 'state', 'postalCode', 'country', 'text'];
const SKIPPED = new Set(['id', 'system', 'url', 'use', 'status', 'contentType', 'language']);

export function stringNormalizer(code: string, phonetic: boolean): Normalizer {
  const add = (text: unknown, sink: IndexSink): void => {
    if (typeof text !== 'string' || text === '') return;
    if (phonetic) {
      for (const word of text.split(/[\s,.\-]+/)) {
        const key = phoneticKey(word);
        if (key !== '') sink.idx_string.push([code, key, text]);
      }
      return;
    }
    sink.idx_string.push([code, normalizeText(text), text]);
  };
  const addAll = (v: unknown, sink: IndexSink): void => {
    if (Array.isArray(v)) for (const x of v) add(x, sink);
    else add(v, sink);
  };
  const parts = (obj: Record<string, unknown>, names: string[], sink: IndexSink): void => {
    for (const n of names) if (obj[n] !== undefined) addAll(obj[n], sink);
  };
  return (value, type, sink) => {
    if (typeof value === 'string') return add(value, sink);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    const obj = value as Record<string, unknown>;
    const t = typeOf(value, type);
    if (t === 'HumanName') return parts(obj, NAME_PARTS, sink);
    if (t === 'Address') return parts(obj, ADDRESS_PARTS, sink);
    for (const [k, v] of Object.entries(obj)) if (!SKIPPED.has(k)) addAll(v, sink);
  };
}

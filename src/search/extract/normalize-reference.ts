import { parseCanonical, parseReference } from './reference-target';
import type { IndexSink, Normalizer } from './sink';
import { typeOf } from './shape';
import { indexedText } from './text';

/**
 * Rows of a reference parameter (idx_reference: code, target_type, target_id, target_url,
 * target_version):
 * - `Type/id[/_history/v]`: (Type, id, null, v);
 * - absolute URL ending in `Type/id[/_history/v]`: (Type, id, url, v); other absolute URLs,
 *   URNs and conditional references: (null, null, url, null);
 * - canonical (and uri) values: (null, null, url, version) with `|version` split off;
 * - a resource (e.g. Bundle.entry[0].resource): (resourceType, id, null, null);
 * - `#x` (contained): no row.
 * A Reference with an `identifier` also gives an idx_token row with code `<code>:identifier`,
 * (system, value, null), for the :identifier modifier (also when it has no literal reference).
 */

const cut = (v: string | undefined): string | null => (v === undefined ? null : indexedText(v));

export function referenceNormalizer(code: string): Normalizer {
  const identifierCode = `${code}:identifier`;
  const literal = (ref: string, sink: IndexSink): void => {
    if (ref === '') return;
    const t = parseReference(ref);
    if (t.contained !== undefined) return;
    sink.idx_reference.push([code, t.type ?? null, t.id ?? null, cut(t.url), t.version ?? null]);
  };
  const canonical = (text: string, sink: IndexSink): void => {
    if (text === '') return;
    const c = parseCanonical(text);
    sink.idx_reference.push([code, null, null, indexedText(c.url), c.version ?? null]);
  };
  return (value, type, sink) => {
    if (typeof value === 'string') {
      if (type === 'canonical' || type === 'uri' || type === 'url') canonical(value, sink);
      else literal(value, sink);
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    const obj = value as Record<string, unknown>;
    const t = typeOf(value, type);
    if (t === 'Reference') {
      if (typeof obj.reference === 'string') literal(obj.reference, sink);
      const id = obj.identifier as Record<string, unknown> | undefined;
      if (id && typeof id === 'object' && (typeof id.value === 'string' || typeof id.system === 'string')) {
        sink.idx_token.push([identifierCode, typeof id.system === 'string' ? indexedText(id.system) : null, typeof id.value === 'string' ? indexedText(id.value) : null, null]);
      }
    } else if (typeof obj.resourceType === 'string' && typeof obj.id === 'string') {
      sink.idx_reference.push([code, obj.resourceType, obj.id, null, null]);
    }
  };
}

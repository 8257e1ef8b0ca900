import { errors } from '../core/errors';

/**
 * Reference rewriting inside Bundle resources (bundle.html#references, http.html#trules): every
 * value that names another entry's fullUrl (urn:uuid:, urn:oid: or an absolute URL) becomes that
 * entry's `Type/id`, in references, in uri-typed elements and in narrative links.
 */

const LOCAL_URN = /^urn:(uuid|oid):/;

export interface ReferenceVisit {
  value: string;
  /** FHIRPath-style location, e.g. Observation.subject.reference */
  path: string;
}

/** Calls visit for every `reference` string in a resource (also in extensions and contained resources). */
export function forEachReference(node: unknown, path: string, visit: (r: ReferenceVisit) => void): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => forEachReference(item, `${path}[${i}]`, visit));
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'reference' && typeof value === 'string') visit({ value, path: `${path}.reference` });
      else if (typeof value === 'object') forEachReference(value, `${path}.${key}`, visit);
    }
  }
}

/**
 * Returns a copy with every string equal to a key of `map` replaced by its value, and the keys'
 * quoted occurrences in narrative (`href="urn:uuid:…"`) replaced too. Throws 400 for a urn
 * reference that names no entry.
 */
const RELATIVE = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;

export function rewriteReferences<T>(resource: T, map: ReadonlyMap<string, string>, rootPath: string, fullUrlBase?: string): T {
  const walk = (node: unknown, path: string, key: string): unknown => {
    if (typeof node === 'string') {
      const target = key === 'value' ? undefined : map.get(node);
      if (target !== undefined) return target;
      if (key === 'reference' && fullUrlBase && RELATIVE.test(node)) {
        const relative = map.get(`${fullUrlBase}/${node}`);
        if (relative !== undefined) return relative;
      }
      if (key === 'reference' && LOCAL_URN.test(node)) {
        throw errors.badRequest(`Reference '${node}' names no entry of this Bundle`, [path]);
      }
      if (key === 'div') return rewriteNarrative(node, map);
      return node;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${path}[${i}]`, key));
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = walk(v, `${path}.${k}`, k);
      return out;
    }
    return node;
  };
  return walk(resource, rootPath, '') as T;
}

function rewriteNarrative(div: string, map: ReadonlyMap<string, string>): string {
  return div.replace(/(href|src)="([^"]+)"/g, (whole, attr: string, urn: string) => {
    const target = map.get(urn);
    return target ? `${attr}="${target}"` : whole;
  });
}

/** A conditional reference (`Patient?identifier=sys|val`) split into type and criteria, or undefined. */
export function parseConditionalReference(value: string): { resourceType: string; query: [string, string][] } | undefined {
  const m = /^([A-Z][A-Za-z]+)\?(.+)$/.exec(value);
  if (!m) return undefined;
  return { resourceType: m[1]!, query: [...new URLSearchParams(m[2]).entries()] };
}

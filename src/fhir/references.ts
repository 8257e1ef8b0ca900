import { isResourceType } from './resource-types';

/** A literal reference to a resource on this server, and where it stands in the resource. */
export interface LocalReference {
  type: string;
  id: string;
  /** FHIRPath-style location, e.g. Observation.subject.reference */
  path: string;
  /** Set for a version-specific reference (Type/id/_history/n). */
  versionId?: string;
}

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?$/;

/**
 * Parses a reference string into a local type/id: `Type/id`, `Type/id/_history/n`, or an absolute
 * URL under `baseUrl`. Contained (`#x`), urn:, conditional and external references are not local.
 */
export function parseLocalReference(value: string, baseUrl?: string): { type: string; id: string } | undefined {
  let rest = value;
  if (baseUrl && rest.startsWith(`${baseUrl}/`)) rest = rest.slice(baseUrl.length + 1);
  const m = RELATIVE.exec(rest);
  if (!m || !isResourceType(m[1]!)) return undefined;
  return { type: m[1]!, id: m[2]! };
}

/** Every literal local reference in a resource: at any depth, in extensions and in contained resources. */
export function localReferences(resource: { resourceType: string }, baseUrl?: string): LocalReference[] {
  const out: LocalReference[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${path}[${i}]`));
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      // References inside a Bundle's entries resolve against the Bundle (bundle.html#references).
      if (path === 'Bundle' && key === 'entry') continue;
      if (key === 'reference' && typeof value === 'string') {
        const ref = parseLocalReference(value, baseUrl);
        const versionId = /\/_history\/([A-Za-z0-9\-.]{1,64})$/.exec(value)?.[1];
        if (ref) out.push({ ...ref, path: `${path}.reference`, ...(versionId ? { versionId } : {}) });
      } else if (typeof value === 'object') {
        walk(value, `${path}.${key}`);
      }
    }
  };
  walk(resource, resource.resourceType);
  return out;
}

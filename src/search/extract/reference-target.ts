import { isResourceType } from '../../fhir/resource-types';

/**
 * What a reference string points at, as far as it can be told from the string alone:
 * - `Type/id`, `Type/id/_history/v`: type, id (and version);
 * - an absolute URL ending in `Type/id` or `Type/id/_history/v`: url, plus type, id (and version);
 * - any other absolute URL, URN or unparsable string: url only;
 * - `#x` (contained): contained = 'x'.
 */
export interface ReferenceTarget {
  type?: string;
  id?: string;
  version?: string;
  url?: string;
  contained?: string;
}

const TAIL = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?$/;

export function parseReference(reference: string): ReferenceTarget {
  if (reference.startsWith('#')) return { contained: reference.slice(1) };
  const m = TAIL.exec(reference);
  const relative = m !== null && m.index === 0 && !reference.startsWith('/');
  if (m && isResourceType(m[1]!) && (relative || m.index > 0)) {
    const target: ReferenceTarget = { type: m[1]!, id: m[2]! };
    if (m[3]) target.version = m[3];
    if (!relative) target.url = reference;
    return target;
  }
  return { url: reference };
}

/** Splits a canonical URL into the URL and its `|version`. */
export function parseCanonical(canonical: string): { url: string; version?: string } {
  const bar = canonical.lastIndexOf('|');
  if (bar < 0) return { url: canonical };
  return { url: canonical.slice(0, bar), version: canonical.slice(bar + 1) };
}

interface ReferenceLike {
  reference?: unknown;
  type?: unknown;
}

/**
 * The resource type a Reference points at, standing in for FHIRPath `resolve() is X`: the type
 * parsed from a literal reference, the type of a contained resource for `#x`, or, for a reference
 * without a literal `reference`, its `type` element (a type name or a StructureDefinition URL).
 */
export function referencedType(value: unknown, resource: unknown): string | undefined {
  if (typeof value === 'string') return parseReference(value).type;
  if (!value || typeof value !== 'object') return undefined;
  const ref = value as ReferenceLike;
  if (typeof ref.reference === 'string') {
    if (ref.reference.startsWith('#')) return containedType(resource, ref.reference.slice(1));
    return parseReference(ref.reference).type;
  }
  if (typeof ref.type === 'string') {
    const name = ref.type.slice(ref.type.lastIndexOf('/') + 1);
    return isResourceType(name) ? name : undefined;
  }
  return undefined;
}

function containedType(resource: unknown, id: string): string | undefined {
  const contained = (resource as { contained?: unknown } | null)?.contained;
  if (!Array.isArray(contained)) return undefined;
  for (const c of contained) {
    if (c && typeof c === 'object' && (c as { id?: unknown }).id === id) {
      const t = (c as { resourceType?: unknown }).resourceType;
      return typeof t === 'string' ? t : undefined;
    }
  }
  return undefined;
}

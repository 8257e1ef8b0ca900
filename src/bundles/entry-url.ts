import { errors } from '../core/errors';
import { isResourceType } from '../fhir/resource-types';

/** A Bundle entry's request.url, relative to the FHIR base. */
export interface EntryTarget {
  resourceType?: string;
  id?: string;
  versionId?: string;
  /** `_history` was named (instance, type or system history). */
  history: boolean;
  metadata: boolean;
  query: [string, string][];
  /** A compartment search `Type/id/[searched type or *]`: the compartment (resourceType is then the searched type, or none for `*`). */
  compartment?: { type: string; id: string };
}

/**
 * Parses entry.request.url: `Type`, `Type/id`, `Type/id/_history/vid`, `Type?criteria`, `_history`,
 * `metadata`, a compartment search `Patient/id/Type` or `Patient/id/*`, or the same as an absolute
 * URL under this server's base.
 */
export function parseEntryUrl(url: string, baseUrl: string): EntryTarget {
  let rest = url.trim();
  if (/^https?:\/\//.test(rest)) {
    if (!rest.startsWith(`${baseUrl}/`)) throw errors.badRequest(`Entry URL '${url}' is not on this server`);
    rest = rest.slice(baseUrl.length + 1);
  }
  rest = rest.replace(/^\/+/, '');
  const q = rest.indexOf('?');
  const path = q >= 0 ? rest.slice(0, q) : rest;
  const query = q >= 0 ? [...new URLSearchParams(rest.slice(q + 1)).entries()] : [];
  const parts = path.split('/').filter((p) => p !== '').map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      throw errors.badRequest(`Entry URL '${url}' is not validly percent-encoded`);
    }
  });
  const target: EntryTarget = { history: false, metadata: false, query };
  if (parts.length === 1 && parts[0] === 'metadata') return { ...target, metadata: true };
  if (parts.length === 1 && parts[0] === '_history') return { ...target, history: true };
  if (parts.some((p) => p.startsWith('$'))) throw errors.notSupported(`Operations are not supported in Bundle entries ('${url}')`);
  const [resourceType, second, third, fourth] = parts;
  if (!resourceType || parts.length > 4) throw errors.badRequest(`Entry URL '${url}' is not a FHIR RESTful URL`);
  if (second === '_history' && parts.length === 2) return { ...target, resourceType, history: true };
  if (parts.length === 2) return { ...target, resourceType, id: second };
  if (parts.length === 3 && third === '_history') return { ...target, resourceType, id: second, history: true };
  if (parts.length === 3 && (third === '*' || isResourceType(third!))) {
    return { ...target, ...(third === '*' ? {} : { resourceType: third }), compartment: { type: resourceType, id: second! } };
  }
  if (parts.length === 4 && third === '_history') return { ...target, resourceType, id: second, versionId: fourth };
  if (parts.length === 1) return { ...target, resourceType };
  throw errors.badRequest(`Entry URL '${url}' is not a FHIR RESTful URL`);
}

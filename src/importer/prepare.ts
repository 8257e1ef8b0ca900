import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';

/**
 * Makes imports safe to re-run: every entry that would create a new resource on each run gets a
 * stable id and becomes a PUT, so importing the same files twice updates instead of duplicating.
 *
 * - POST entries whose fullUrl is `urn:uuid:<uuid>` become `PUT Type/<uuid>` (the fullUrl stays,
 *   so references to it are still rewritten by the server).
 * - POST entries with ifNoneExist are already idempotent and stay as they are.
 * - Collection Bundles and loose resources become transactions (bundles) or batches (NDJSON) of
 *   PUTs for resources that carry an id.
 */

const UUID = /^urn:uuid:([0-9a-fA-F-]{36})$/;

export function idempotentEntry(entry: BundleEntry): BundleEntry {
  const request = entry.request;
  const resource = entry.resource;
  if (!resource) return entry;
  if (!request) return resource.id ? putEntry(resource, entry.fullUrl) : idempotentEntry(putEntry(resource, entry.fullUrl));
  if (request.method !== 'POST' || request.ifNoneExist) return entry;
  const m = entry.fullUrl ? UUID.exec(entry.fullUrl) : null;
  if (!m) return entry;
  const id = m[1]!.toLowerCase();
  return { ...entry, resource: { ...resource, id }, request: { method: 'PUT', url: `${resource.resourceType}/${id}` } };
}

function putEntry(resource: Resource, fullUrl?: string): BundleEntry {
  const base: BundleEntry = fullUrl ? { fullUrl } : {};
  if (resource.id) return { ...base, resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } };
  return { ...base, resource, request: { method: 'POST', url: resource.resourceType } };
}

export function prepareBundle(bundle: Bundle): Bundle {
  const type = bundle.type === 'batch' ? 'batch' : 'transaction';
  return { resourceType: 'Bundle', type, entry: (bundle.entry ?? []).map(idempotentEntry) };
}

export function prepareResources(resources: Resource[]): Bundle {
  return { resourceType: 'Bundle', type: 'batch', entry: resources.map((r) => putEntry(r)) };
}

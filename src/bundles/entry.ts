import type { Binary, BundleEntry, BundleEntryResponse, Resource } from '@medplum/fhirtypes';
import { errors, FhirError, type Issue } from '../core/errors';
import { issuesToOutcome } from '../core/outcome';
import { capabilities } from '../interactions/capabilities';
import { create } from '../interactions/create';
import { conditionalDelete, remove } from '../interactions/delete';
import { history } from '../interactions/history';
import { conditionalPatch, patch } from '../interactions/patch';
import { read, vread } from '../interactions/read';
import { search } from '../interactions/search';
import type { FhirRequest, FhirResult, InteractionContext } from '../interactions/types';
import { conditionalUpdate, update } from '../interactions/update';
import { parseEntryUrl, type EntryTarget } from './entry-url';

export type EntryMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const METHODS = new Set<EntryMethod>(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** One request entry of a batch or transaction, checked and parsed. */
export interface ParsedEntry {
  index: number;
  method: EntryMethod;
  target: EntryTarget;
  fullUrl?: string;
  resource?: Resource;
  request: NonNullable<BundleEntry['request']>;
}

export function parseEntry(entry: BundleEntry, index: number, baseUrl: string): ParsedEntry {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
    throw errors.badRequest('Each entry must be an object', [`Bundle.entry[${index}]`]);
  }
  const request = entry.request;
  if (!request || typeof request.method !== 'string' || typeof request.url !== 'string' || !request.method || !request.url) {
    throw errors.badRequest('Each entry needs request.method and request.url', [`Bundle.entry[${index}].request`]);
  }
  const method = request.method.toUpperCase() as EntryMethod;
  if (!METHODS.has(method)) throw errors.badRequest(`Unsupported method '${request.method}'`, [`Bundle.entry[${index}].request.method`]);
  const target = parseEntryUrl(request.url, baseUrl);
  if ((target.compartment || target.metadata) && method !== 'GET' && method !== 'HEAD') {
    throw errors.badRequest(`A ${method} entry cannot name '${request.url}'`, [`Bundle.entry[${index}].request.url`]);
  }
  if ((method === 'POST' || method === 'PUT' || method === 'PATCH') && !entry.resource) {
    throw errors.badRequest(`A ${method} entry needs a resource`, [`Bundle.entry[${index}].resource`]);
  }
  return { index, method, target, fullUrl: entry.fullUrl, resource: entry.resource, request };
}

/** A PATCH entry carries its JSON Patch document as a Binary (bundle.html#patch). */
function patchBody(resource: Resource | undefined): unknown {
  const binary = resource as Binary | undefined;
  if (binary?.resourceType !== 'Binary' || binary.contentType !== 'application/json-patch+json' || !binary.data) {
    throw errors.unsupportedMediaType('A PATCH entry must hold a Binary with contentType application/json-patch+json');
  }
  try {
    return JSON.parse(Buffer.from(binary.data, 'base64').toString('utf8'));
  } catch {
    throw errors.badRequest('The PATCH entry Binary does not hold valid JSON');
  }
}

/** The server named in `metadata` entries when the context does not name it. */
const UNNAMED_SOFTWARE = { name: 'Hearth', version: 'unknown', date: new Date().toISOString() };

/**
 * Runs one entry as the interaction its method and URL name. GET/HEAD entries that name no
 * instance are searches (type, compartment, with or without criteria): the entry's resource is
 * the searchset Bundle (bundle.html#transaction); `metadata` answers the CapabilityStatement.
 */
export function executeEntry(ctx: InteractionContext, e: ParsedEntry, baseUrl: string, assignedId?: string): Promise<FhirResult> {
  const t = e.target;
  const req: FhirRequest = {
    resourceType: t.resourceType,
    id: t.id,
    versionId: t.versionId,
    query: t.query,
    baseUrl,
    ifMatch: e.request.ifMatch,
    ifNoneMatch: e.request.ifNoneMatch,
    ifModifiedSince: e.request.ifModifiedSince,
    ifNoneExist: e.request.ifNoneExist,
    assignedId,
    ...(t.compartment ? { compartment: t.compartment } : {}),
  };
  const conditional = t.id === undefined && t.query.length > 0;
  switch (e.method) {
    case 'GET':
    case 'HEAD':
      if (t.metadata) return Promise.resolve(capabilities(req, ctx.software ?? UNNAMED_SOFTWARE));
      if (t.history) return history(ctx, req);
      if (t.compartment) return search(ctx, req);
      if (t.versionId !== undefined) return vread(ctx, req);
      if (t.id !== undefined) return read(ctx, req);
      return search(ctx, req);
    case 'POST':
      if (t.id !== undefined || t.history || t.metadata) throw errors.badRequest('POST entries name a resource type only');
      return create(ctx, { ...req, body: e.resource });
    case 'PUT':
      return conditional ? conditionalUpdate(ctx, { ...req, body: e.resource }) : update(ctx, { ...req, body: e.resource });
    case 'PATCH':
      return conditional ? conditionalPatch(ctx, { ...req, body: patchBody(e.resource) }) : patch(ctx, { ...req, body: patchBody(e.resource) });
    case 'DELETE':
      return conditional ? conditionalDelete(ctx, req) : remove(ctx, req);
  }
}

const REASONS: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 410: 'Gone',
  412: 'Precondition Failed', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity',
  500: 'Internal Server Error',
};

export function statusLine(status: number): string {
  return `${status} ${REASONS[status] ?? ''}`.trim();
}

export type ReturnPreference = 'minimal' | 'representation' | 'OperationOutcome';

/** The response entry for a successful entry. */
export function responseEntry(result: FhirResult, method: EntryMethod, prefer: ReturnPreference): BundleEntry {
  const response: BundleEntryResponse = { status: statusLine(result.status) };
  if (result.location) response.location = result.location;
  if (result.versionId !== undefined) response.etag = `W/"${result.versionId}"`;
  if (result.lastUpdated) response.lastModified = result.lastUpdated;
  const entry: BundleEntry = { response };
  const isRead = method === 'GET';
  if (result.resource && (isRead || prefer === 'representation')) entry.resource = result.resource;
  if (prefer === 'OperationOutcome' && !isRead) {
    response.outcome = issuesToOutcome(result.issues ?? [{ severity: 'information', code: 'informational', diagnostics: statusLine(result.status) }]);
  }
  return entry;
}

/** Prefixes an entry's issues with its position, so a failing transaction names the entry. */
export function entryIssues(err: FhirError, index: number): Issue[] {
  const prefix = `Bundle.entry[${index}]`;
  return err.issues.map((i) => ({
    ...i,
    diagnostics: `${prefix}: ${i.diagnostics}`,
    expression: i.expression?.length ? i.expression.map((x) => `${prefix}.resource.${x.split('.').slice(1).join('.')}`.replace(/\.$/, '')) : [prefix],
  }));
}

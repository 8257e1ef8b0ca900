import type { Resource } from '@medplum/fhirtypes';
import { errors, FhirError } from '../core/errors';
import { isValidId } from '../core/ids';
import { isResourceType } from '../fhir/resource-types';
import type { StoredVersion } from '../storage/repository';
import { localReferences } from '../fhir/references';
import { searchIndexRows } from '../search/index-rows';
import { TERMINOLOGY_TYPES, terminologyChanged } from '../terminology';
import { afterDelete, afterWrite } from './integrity';
import { finishSearchParameterWrite, prepareSearchParameterWrite } from './search-parameters';
import type { FhirResult, InteractionContext } from './types';

/** Checks the type named in the URL. */
export function requireType(resourceType: string | undefined): string {
  if (!resourceType || !isResourceType(resourceType)) {
    throw errors.notFound(`Unknown resource type '${resourceType ?? ''}'`);
  }
  return resourceType;
}

export function requireId(id: string | undefined): string {
  if (!id || !isValidId(id)) throw errors.badRequest(`Invalid resource id '${id ?? ''}'`);
  return id;
}

/** Parses an ETag / If-Match value such as W/"3" or "3" into a version number. */
export function parseVersionTag(value: string, header: string): number {
  const m = /^\s*(?:W\/)?"(\d+)"\s*$/.exec(value) ?? /^\s*(\d+)\s*$/.exec(value);
  if (!m) throw errors.badRequest(`${header} must be a version ETag such as W/"1" (got '${value}')`);
  return Number(m[1]);
}

export function versionLocation(baseUrl: string, v: StoredVersion): string {
  return `${baseUrl}/${v.resourceType}/${v.id}/_history/${v.versionId}`;
}

/** The result for one stored, existing version. */
export function versionResult(status: number, v: StoredVersion, baseUrl: string, withLocation = false): FhirResult {
  return {
    status,
    resource: v.content ?? undefined,
    versionId: v.versionId,
    lastUpdated: v.lastUpdated,
    ...(withLocation ? { location: versionLocation(baseUrl, v) } : {}),
  };
}

/** Reads the current version (locking it with forUpdate); 404 if it never existed, 410 if it is deleted. */
export async function loadCurrent(ctx: InteractionContext, resourceType: string, id: string, forUpdate = false): Promise<StoredVersion> {
  const current = await ctx.repo.readCurrent(resourceType, id, { forUpdate });
  if (!current) throw errors.notFound(`${resourceType}/${id} not found`);
  if (current.deleted) {
    throw new FhirError(410, { severity: 'error', code: 'deleted', diagnostics: `${resourceType}/${id} was deleted` }, {
      ETag: `W/"${current.versionId}"`,
    });
  }
  return current;
}

/**
 * Checks a resource body for a write: a JSON object of the URL's type, valid against the R4 base.
 * Every issue is reported; server-managed meta fields are dropped.
 */
export function checkBody(ctx: InteractionContext, body: unknown, resourceType: string): Resource {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw errors.badRequest('The request body must be a FHIR resource as a JSON object');
  }
  const issues = ctx.validator.validate(body, { expectedType: resourceType }).filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (issues.length > 0) throw new FhirError(400, issues);
  const resource = { ...(body as Resource) };
  if (resource.meta) {
    const { versionId: _v, lastUpdated: _l, ...meta } = resource.meta;
    if (Object.keys(meta).length > 0) resource.meta = meta;
    else delete resource.meta;
  }
  return resource;
}

/**
 * The one write path of the interactions: stores a new version (or a deletion) with its derived
 * index rows, invalidates cached terminology when a CodeSystem or ValueSet changes, then checks
 * (or defers) referential integrity. SearchParameter writes are checked first, queue a reindex
 * job and update the search parameter registry on commit (search-parameters.ts).
 */
export async function storeVersion(
  ctx: InteractionContext,
  resourceType: string,
  id: string,
  content: Resource | null,
  expectedVersionId: number | null | undefined,
  baseUrl: string,
  report?: { created?: boolean },
): Promise<StoredVersion> {
  const change = resourceType === 'SearchParameter' ? await prepareSearchParameterWrite(ctx, id, content) : undefined;
  const references = content ? localReferences(content, baseUrl) : [];
  const stored = await ctx.repo.write({
    resourceType,
    id,
    content,
    expectedVersionId,
    report,
    index: { ...(content ? searchIndexRows(content) : {}), resource_references: references.map((r) => [r.type, r.id]) },
  });
  if (TERMINOLOGY_TYPES.has(resourceType)) terminologyChanged();
  if (content) await afterWrite(ctx, `${resourceType}/${id}`, references);
  else await afterDelete(ctx, resourceType, id);
  if (change) await finishSearchParameterWrite(ctx, change);
  return stored;
}

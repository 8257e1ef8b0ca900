import { errors, FhirError } from '../core/errors';
import { loadCurrent, parseVersionTag, requireId, requireType, versionResult } from './common';
import type { FhirRequest, FhirResult, InteractionContext } from './types';

/** True when the client's cached copy (If-None-Match / If-Modified-Since) is still current. */
function notModified(req: FhirRequest, versionId: number, lastUpdated: string): boolean {
  if (req.ifNoneMatch) {
    if (req.ifNoneMatch.trim() === '*') return true;
    const tags = req.ifNoneMatch.split(',').map((t) => parseVersionTag(t, 'If-None-Match'));
    return tags.includes(versionId);
  }
  if (req.ifModifiedSince) {
    const since = Date.parse(req.ifModifiedSince);
    // An unparsable date is ignored (RFC 7232 section 3.3). HTTP dates have second precision.
    if (Number.isNaN(since)) return false;
    return Math.floor(Date.parse(lastUpdated) / 1000) * 1000 <= since;
  }
  return false;
}

/** read: GET [base]/[type]/[id] */
export async function read(ctx: InteractionContext, req: FhirRequest): Promise<FhirResult> {
  const type = requireType(req.resourceType);
  const id = requireId(req.id);
  const current = await loadCurrent(ctx, type, id);
  if (notModified(req, current.versionId, current.lastUpdated)) {
    return { status: 304, versionId: current.versionId, lastUpdated: current.lastUpdated };
  }
  return versionResult(200, current, req.baseUrl);
}

/** vread: GET [base]/[type]/[id]/_history/[vid] */
export async function vread(ctx: InteractionContext, req: FhirRequest): Promise<FhirResult> {
  const type = requireType(req.resourceType);
  const id = requireId(req.id);
  if (!req.versionId || !/^\d+$/.test(req.versionId)) throw errors.notFound(`Version '${req.versionId ?? ''}' not found`);
  const version = await ctx.repo.readVersion(type, id, Number(req.versionId));
  if (!version) throw errors.notFound(`${type}/${id}/_history/${req.versionId} not found`);
  if (version.deleted) {
    throw new FhirError(410, { severity: 'error', code: 'deleted', diagnostics: `${type}/${id} was deleted in version ${version.versionId}` });
  }
  return versionResult(200, version, req.baseUrl);
}

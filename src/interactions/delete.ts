import { errors } from '../core/errors';
import { requireId, requireType, storeVersion } from './common';
import { findAtMostOne } from './matches';
import type { FhirRequest, FhirResult, InteractionContext } from './types';

async function deleteOne(ctx: InteractionContext, type: string, id: string, baseUrl: string): Promise<FhirResult> {
  const current = await ctx.repo.readCurrent(type, id, { forUpdate: true });
  if (!current) throw errors.notFound(`${type}/${id} not found`);
  // Deleting a deleted resource succeeds without a new version (delete is idempotent).
  if (current.deleted) return { status: 204, versionId: current.versionId, lastUpdated: current.lastUpdated };
  const stored = await storeVersion(ctx, type, id, null, current.versionId, baseUrl);
  return { status: 204, versionId: stored.versionId, lastUpdated: stored.lastUpdated };
}

/** delete: DELETE [base]/[type]/[id]; records a deletion version, after which read answers 410. */
export async function remove(ctx: InteractionContext, req: FhirRequest): Promise<FhirResult> {
  const type = requireType(req.resourceType);
  const id = requireId(req.id);
  return ctx.repo.transaction((repo) => deleteOne({ ...ctx, repo }, type, id, req.baseUrl));
}

/** conditional delete: DELETE [base]/[type]?criteria; no match is a success, several are 412. */
export async function conditionalDelete(ctx: InteractionContext, req: FhirRequest): Promise<FhirResult> {
  const type = requireType(req.resourceType);
  return ctx.repo.transaction(async (repo) => {
    const tx = { ...ctx, repo };
    const match = await findAtMostOne(tx, type, req.query, req.baseUrl);
    if (!match) return { status: 204 };
    return deleteOne(tx, type, match.id, req.baseUrl);
  });
}

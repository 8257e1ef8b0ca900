import type { Resource } from '@medplum/fhirtypes';
import { errors } from '../core/errors';
import { applyJsonPatch } from './json-patch';
import { checkBody, loadCurrent, parseVersionTag, requireId, requireType, storeVersion, versionResult } from './common';
import { findAtMostOne } from './matches';
import type { FhirRequest, FhirResult, InteractionContext } from './types';

async function patchOne(ctx: InteractionContext, type: string, id: string, req: FhirRequest): Promise<FhirResult> {
  const current = await loadCurrent(ctx, type, id, true);
  const expected = req.ifMatch ? parseVersionTag(req.ifMatch, 'If-Match') : current.versionId;
  if (expected !== current.versionId) {
    throw errors.preconditionFailed(`Version ${expected} is not the current version (${current.versionId}) of ${type}/${id}`);
  }
  const patched = applyJsonPatch(current.content, req.body) as Resource;
  if (!patched || typeof patched !== 'object' || Array.isArray(patched)) {
    throw errors.unprocessable('The patch must leave a resource object');
  }
  if (patched.resourceType !== type) throw errors.unprocessable('A patch may not change resourceType', [`${type}.resourceType`]);
  if (patched.id !== id) throw errors.unprocessable('A patch may not change the resource id', [`${type}.id`]);
  const resource = checkBody(ctx, patched, type);
  const stored = await storeVersion(ctx, type, id, resource, current.versionId, req.baseUrl);
  return versionResult(200, stored, req.baseUrl, true);
}

/** patch: PATCH [base]/[type]/[id] with a JSON Patch body; the result is validated like any write. */
export async function patch(ctx: InteractionContext, req: FhirRequest): Promise<FhirResult> {
  const type = requireType(req.resourceType);
  const id = requireId(req.id);
  return ctx.repo.transaction((repo) => patchOne({ ...ctx, repo }, type, id, req));
}

/** conditional patch: PATCH [base]/[type]?criteria; exactly one match is patched. */
export async function conditionalPatch(ctx: InteractionContext, req: FhirRequest): Promise<FhirResult> {
  const type = requireType(req.resourceType);
  return ctx.repo.transaction(async (repo) => {
    const tx = { ...ctx, repo };
    const match = await findAtMostOne(tx, type, req.query, req.baseUrl);
    if (!match) throw errors.notFound(`No ${type} matches the criteria`);
    return patchOne(tx, type, match.id, req);
  });
}

import type { Resource } from '@medplum/fhirtypes';
import { errors } from '../core/errors';
import { newId } from '../core/ids';
import { checkBody, parseVersionTag, requireId, requireType, storeVersion, versionResult } from './common';
import { findAtMostOne } from './matches';
import type { FhirRequest, FhirResult, InteractionContext } from './types';

async function writeUpdate(
  ctx: InteractionContext,
  type: string,
  id: string,
  resource: Resource,
  req: FhirRequest,
): Promise<FhirResult> {
  const expectedVersionId = req.ifMatch ? parseVersionTag(req.ifMatch, 'If-Match') : undefined;
  const report: { created?: boolean } = {};
  const stored = await storeVersion(ctx, type, id, { ...resource, id }, expectedVersionId, req.baseUrl, report);
  const created = report.created === true;
  return versionResult(created ? 201 : 200, stored, req.baseUrl, true);
}

/**
 * update: PUT [base]/[type]/[id]. The body's id must equal the URL's id (400 otherwise).
 * A resource that does not exist yet is created with the client's id (update-as-create, 201).
 * If-Match makes the update version-aware: a stale version fails with 412.
 */
export async function update(ctx: InteractionContext, req: FhirRequest): Promise<FhirResult> {
  const type = requireType(req.resourceType);
  const id = requireId(req.id);
  const resource = checkBody(ctx, req.body, type);
  if (resource.id === undefined) throw errors.badRequest(`The resource must carry id '${id}' to be updated`, [`${type}.id`]);
  if (resource.id !== id) {
    throw errors.badRequest(`The resource id '${resource.id}' does not match the URL id '${id}'`, [`${type}.id`]);
  }
  return ctx.repo.transaction((repo) => writeUpdate({ ...ctx, repo }, type, id, resource, req));
}

/** conditional update: PUT [base]/[type]?criteria (http.html#cond-update). */
export async function conditionalUpdate(ctx: InteractionContext, req: FhirRequest): Promise<FhirResult> {
  const type = requireType(req.resourceType);
  const resource = checkBody(ctx, req.body, type);
  if (resource.id !== undefined) requireId(resource.id);
  return ctx.repo.transaction(async (repo) => {
    const tx = { ...ctx, repo };
    const match = await findAtMostOne(tx, type, req.query, req.baseUrl);
    if (match && resource.id !== undefined && resource.id !== match.id) {
      throw errors.badRequest(`The resource id '${resource.id}' does not match the resource found (${type}/${match.id})`, [`${type}.id`]);
    }
    const id = match?.id ?? resource.id ?? newId();
    return writeUpdate(tx, type, id, resource, req);
  });
}

import { newId } from '../core/ids';
import { checkBody, requireType, storeVersion, versionResult } from './common';
import { findMatches } from './matches';
import { parseCriteria } from '../search/conditional';
import { errors } from '../core/errors';
import type { FhirRequest, FhirResult, InteractionContext } from './types';

/**
 * create: POST [base]/[type]. The server assigns the id (a client-supplied id is ignored, as
 * http.html#create requires). With If-None-Exist, an existing single match is returned instead (200).
 */
export async function create(ctx: InteractionContext, req: FhirRequest): Promise<FhirResult> {
  const type = requireType(req.resourceType);
  const body = withoutId(req.body);
  const resource = checkBody(ctx, body, type);
  return ctx.repo.transaction(async (repo) => {
    const tx = { ...ctx, repo };
    if (req.ifNoneExist) {
      const matches = await findMatches(tx, type, parseCriteria(req.ifNoneExist), req.baseUrl);
      if (matches.length > 1) throw errors.multipleMatches(`If-None-Exist matched more than one ${type}`);
      if (matches.length === 1) return versionResult(200, matches[0], req.baseUrl, true);
    }
    const id = req.assignedId ?? newId();
    const stored = await storeVersion(tx, type, id, { ...resource, id }, null, req.baseUrl);
    return versionResult(201, stored, req.baseUrl, true);
  });
}

function withoutId(body: unknown): unknown {
  if (body && typeof body === 'object' && !Array.isArray(body) && 'id' in body) {
    const { id: _ignored, ...rest } = body as Record<string, unknown>;
    return rest;
  }
  return body;
}

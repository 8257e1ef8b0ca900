import type Router from '@koa/router';
import type { Context } from 'koa';
import { errors } from '../core/errors';
import type { FhirRequest, FhirResult } from '../interactions/types';
import { reindexOperationDefinition } from '../operations/reindex-definition';
import { reindex, reindexStatus } from '../operations/reindex';
import { readJsonBody } from './body';
import { checkResourceContentType, negotiateResponseType } from './format';
import { sendResult } from './respond';
import type { RouteDeps } from './routes';

/**
 * The `$` operations' routes (registered before the resource routes they would otherwise match):
 * $reindex at system and type level, its job status, and its OperationDefinition.
 */

function header(ctx: Context, name: string): string | undefined {
  const v = ctx.get(name);
  return v === '' ? undefined : v;
}

function baseUrl(ctx: Context, deps: RouteDeps): string {
  return deps.baseUrl ?? `${ctx.protocol}://${ctx.host}/fhir`;
}

async function respond(ctx: Context, interaction: string, run: (query: [string, string][]) => Promise<FhirResult>): Promise<void> {
  ctx.state.interaction = interaction;
  const query = [...new URLSearchParams(ctx.querystring).entries()];
  const mediaType = negotiateResponseType(query.find(([n]) => n === '_format')?.[1], header(ctx, 'Accept'));
  const result = await run(query);
  sendResult(ctx, result, { mediaType, pretty: query.some(([n, v]) => n === '_pretty' && v === 'true'), prefer: {} }, false);
}

export function addOperationRoutes(router: Router, deps: RouteDeps): void {
  const operation = async (ctx: Context, resourceType: string | undefined): Promise<void> => {
    await respond(ctx, 'operation:$reindex', async (query) => {
      checkResourceContentType(header(ctx, 'Content-Type'));
      const body = await readJsonBody(ctx.req, deps.maxBodyBytes);
      const req: FhirRequest = { resourceType, query, body, baseUrl: baseUrl(ctx, deps) };
      return reindex(deps.interactions, req);
    });
  };
  router.post('/$reindex', (ctx) => operation(ctx, undefined));
  router.post('/:type/$reindex', (ctx) => operation(ctx, (ctx.params as Record<string, string>).type));
  router.get('/$reindex-status', (ctx) =>
    respond(ctx, 'operation:$reindex-status', (query) => reindexStatus(deps.interactions, { query, baseUrl: baseUrl(ctx, deps) })),
  );
  router.get('/$reindex-status/:id', (ctx) =>
    respond(ctx, 'operation:$reindex-status', (query) =>
      reindexStatus(deps.interactions, { id: (ctx.params as Record<string, string>).id, query, baseUrl: baseUrl(ctx, deps) }),
    ),
  );
  router.get('/OperationDefinition/reindex', (ctx) =>
    respond(ctx, 'read', async () => ({ status: 200, resource: reindexOperationDefinition(baseUrl(ctx, deps)) })),
  );
  for (const path of ['/$reindex', '/:type/$reindex']) {
    router.all(path, () => {
      throw errors.methodNotAllowed('$reindex changes state: use POST');
    });
  }
}

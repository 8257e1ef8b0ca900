import Router from '@koa/router';
import type { Context } from 'koa';
import { capabilityStatement, type SoftwareInfo } from '../interactions/capabilities';
import { declaredOperation } from '../interactions/registry';
import { registryGeneration } from '../search/registry';
import { renderDocsPage } from './docs-page';
import { buildOpenApi } from './openapi';

export interface ApiDocsDeps {
  baseUrl?: string;
  software: SoftwareInfo;
}

interface Rendered {
  json: string;
  html: string;
}

/** Distinct request-derived base URLs kept rendered; the Host header is client-chosen, so this is bounded. */
const CACHE_LIMIT = 8;

/**
 * GET /fhir/openapi.json (the OpenAPI 3.1 document built from the CapabilityStatement) and
 * GET /docs (the HTML reference rendered from it). Both are rendered once per base URL and
 * search parameter registry generation (custom SearchParameters change the statement).
 */
export function buildApiDocsRouter(deps: ApiDocsDeps): Router {
  const cache = new Map<string, Rendered>();
  const rendered = (ctx: Context): Rendered => {
    // Same rule as the FHIR routes: the configured base, else one derived from the request.
    const base = deps.baseUrl ?? `${ctx.protocol}://${ctx.host}/fhir`;
    const key = `${registryGeneration()} ${base}`;
    let hit = cache.get(key);
    if (!hit) {
      const doc = buildOpenApi(capabilityStatement(base, deps.software), { operationLevels: declaredOperation });
      hit = { json: JSON.stringify(doc), html: renderDocsPage(doc, `${base}/openapi.json`) };
      if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
      cache.set(key, hit);
    }
    return hit;
  };
  const router = new Router();
  router.get('/fhir/openapi.json', (ctx) => {
    ctx.state.interaction = 'openapi';
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = rendered(ctx).json;
  });
  router.get('/docs', (ctx) => {
    ctx.state.interaction = 'docs';
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    ctx.body = rendered(ctx).html;
  });
  return router;
}

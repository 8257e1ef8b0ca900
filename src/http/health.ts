import Router from '@koa/router';
import type { Registry } from 'prom-client';
import type { Logger } from '../core/logger';

export interface HealthDeps {
  /**
   * Resolves when storage is reachable and up to date, with details for the answer (such as the
   * read replica's state, which never fails readiness); rejects with the reason otherwise.
   */
  ready: () => Promise<object | void>;
  metrics: Registry;
  logger: Logger;
}

/** Operational endpoints outside the FHIR base: /healthz (process up), /readyz (database ready, read replica state), /metrics. */
export function buildHealthRouter(deps: HealthDeps): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    try {
      const details = await deps.ready();
      ctx.body = { status: 'ready', ...details };
    } catch (e) {
      deps.logger.warn('not ready', { reason: (e as Error).message });
      ctx.status = 503;
      ctx.body = { status: 'not ready' };
    }
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.contentType;
    ctx.body = await deps.metrics.metrics();
  });
  return router;
}

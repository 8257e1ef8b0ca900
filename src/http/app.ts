import Koa from 'koa';
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { errors, FhirError } from '../core/errors';
import { errorToOutcome } from '../core/outcome';
import type { Logger } from '../core/logger';
import { buildApiDocsRouter } from './api-docs';
import { consistencyMiddleware } from './consistency';
import { buildHealthRouter } from './health';
import { createMetrics, type Metrics } from './metrics';
import { sendJson } from './respond';
import { buildRouter, type RouteDeps } from './routes';

export interface AppDeps extends RouteDeps {
  logger: Logger;
  /** Storage readiness for /readyz, with details to report (e.g. the read replica's state). */
  ready: () => Promise<object | void>;
  /** Metrics shared with the rest of the server; created here when absent. */
  metrics?: Metrics;
  /** Set with a read replica: the consistency token covering the writes committed so far. */
  consistencyToken?: () => Promise<string>;
}

/** Koa errors raised by the router (405/501) carry a status; map them to FHIR errors. */
function toFhirError(err: unknown): unknown {
  if (err instanceof FhirError) return err;
  const status = (err as { status?: number }).status;
  if (status === 405 || status === 501) return errors.methodNotAllowed('Method not allowed on this URL');
  return err;
}

export function buildApp(deps: AppDeps): Koa {
  const app = new Koa();
  const router = buildRouter(deps);
  const metrics = deps.metrics ?? createMetrics();
  const health = buildHealthRouter({ ready: deps.ready, metrics: metrics.registry, logger: deps.logger });
  const apiDocs = buildApiDocsRouter({ baseUrl: deps.baseUrl, software: deps.software });
  // Under HEARTH_WORKERS > 1, names the cluster worker (1..n) that answered.
  const workerId = cluster.isWorker && cluster.worker ? String(cluster.worker.id) : undefined;

  app.use(metrics.middleware);

  app.use(async (ctx, next) => {
    const started = process.hrtime.bigint();
    const requestId = /^[\w.-]{1,128}$/.test(ctx.get('X-Request-Id')) ? ctx.get('X-Request-Id') : randomUUID();
    ctx.set('X-Request-Id', requestId);
    ctx.set('X-Content-Type-Options', 'nosniff');
    if (workerId) ctx.set('X-Hearth-Worker', workerId);
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw errors.notFound(`No route for ${ctx.method} ${ctx.path}`);
    } catch (raw) {
      const err = toFhirError(raw);
      const result = errorToOutcome(err);
      if (result.unexpected) deps.logger.error('unhandled error', { requestId, error: (err as Error)?.stack ?? String(err) });
      for (const [k, v] of Object.entries(result.headers)) ctx.set(k, v);
      const allow = (raw as { headers?: Record<string, string> }).headers?.Allow;
      if (result.status === 405 && allow) ctx.set('Allow', allow);
      sendJson(ctx, result.status, result.outcome, { mediaType: 'application/fhir+json', pretty: false });
    } finally {
      // Paths carry ids only; query strings may hold PHI and are not logged.
      const operational = ctx.path === '/healthz' || ctx.path === '/readyz' || ctx.path === '/metrics';
      deps.logger[operational ? 'debug' : 'info']('request', {
        requestId,
        method: ctx.method,
        path: ctx.path,
        interaction: ctx.state.interaction,
        status: ctx.status,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
    }
  });
  if (deps.consistencyToken) app.use(consistencyMiddleware(deps.consistencyToken, deps.logger));
  app.use(health.routes());
  app.use(apiDocs.routes());
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}

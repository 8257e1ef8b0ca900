import type { Middleware } from 'koa';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics: requests and their latency by interaction, resource type and status,
 * plus the process defaults (memory, event loop lag, GC). Labels carry no ids and no PHI.
 */
export interface Metrics {
  registry: Registry;
  middleware: Middleware;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hearth_' });
  const requests = new Counter({
    name: 'hearth_http_requests_total',
    help: 'HTTP requests by interaction, resource type and status',
    labelNames: ['method', 'interaction', 'resource_type', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'hearth_http_request_duration_seconds',
    help: 'HTTP request latency by interaction and resource type',
    labelNames: ['method', 'interaction', 'resource_type'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const middleware: Middleware = async (ctx, next) => {
    const end = duration.startTimer();
    try {
      await next();
    } finally {
      const state = ctx.state as { interaction?: string; resourceType?: string };
      const labels = { method: ctx.method, interaction: state.interaction ?? 'other', resource_type: state.resourceType ?? '' };
      end(labels);
      requests.inc({ ...labels, status: String(ctx.status) });
    }
  };
  return { registry, middleware };
}

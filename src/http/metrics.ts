import type { Middleware } from 'koa';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PoolStats } from '../storage/driver';

/**
 * Prometheus metrics: requests and their latency by interaction, resource type and status,
 * plus the process defaults (memory, event loop lag, GC). Labels carry no ids and no PHI.
 */
export interface Metrics {
  registry: Registry;
  middleware: Middleware;
  /** Runs a validation and records its duration. */
  timeValidation<T>(fn: () => T): T;
}

export interface MetricsSources {
  /** Database connection pool use, read at each scrape. */
  poolStats?: () => PoolStats | undefined;
}

export function createMetrics(sources: MetricsSources = {}): Metrics {
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
  const validation = new Histogram({
    name: 'hearth_validation_duration_seconds',
    help: 'Time to validate one resource against the R4 base definitions',
    buckets: [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005],
    registers: [registry],
  });
  new Gauge({
    name: 'hearth_db_pool_connections',
    help: 'Database pool connections by state (total, idle, waiting clients)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const stats = sources.poolStats?.();
      if (!stats) return;
      this.set({ state: 'total' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
    },
  });
  const timeValidation = <T>(fn: () => T): T => {
    const end = validation.startTimer();
    try {
      return fn();
    } finally {
      end();
    }
  };
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
  return { registry, middleware, timeValidation };
}

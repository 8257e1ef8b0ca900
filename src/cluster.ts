import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config/config';
import type { Logger } from './core/logger';

/** How long the primary waits for its workers to drain after SIGTERM before killing them. */
const SHUTDOWN_TIMEOUT_MS = 20_000;
/** Pause before a worker that died after starting is replaced. */
const RESTART_DELAY_MS = 1_000;

/**
 * The primary process of HEARTH_WORKERS > 1: forks that many servers (each runs main.ts as a
 * worker, opening its own connection pool and running migrations under their advisory lock). The
 * primary owns the listening socket and hands connections to the workers round-robin.
 *
 * A worker that dies after it listened is replaced; one that dies before it ever listened is a
 * start-up failure, and everything is stopped with exit code 1. On SIGTERM or SIGINT every worker
 * gets SIGTERM and drains; the primary exits 0 when all of them exited 0, and 1 otherwise (or when
 * they have not finished within SHUTDOWN_TIMEOUT_MS, after which they are killed).
 */
export function runPrimary(config: Config, logger: Logger): void {
  cluster.schedulingPolicy = cluster.SCHED_RR;
  const live = new Set<Worker>();
  const listened = new Set<number>();
  let stopping = false;
  let failed = false;

  const fork = () => {
    const worker = cluster.fork();
    live.add(worker);
    logger.info('worker forked', { worker: worker.id, pid: worker.process.pid });
  };

  const finish = () => {
    logger.info('stopped', { failed });
    process.exit(failed ? 1 : 0);
  };

  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal: reason, workers: live.size });
    for (const worker of live) worker.process.kill('SIGTERM');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out', { remaining: live.size });
      for (const worker of live) worker.process.kill('SIGKILL');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    if (live.size === 0) finish();
  };

  cluster.on('listening', (worker, address) => {
    listened.add(worker.id);
    logger.info('worker listening', { worker: worker.id, pid: worker.process.pid, port: address.port });
  });

  cluster.on('exit', (worker, code, signal) => {
    live.delete(worker);
    const started = listened.delete(worker.id);
    if (stopping) {
      if (code !== 0) failed = true;
      if (live.size === 0) finish();
      return;
    }
    logger.error('worker exited', { worker: worker.id, pid: worker.process.pid, code, signal });
    if (!started) {
      failed = true;
      stop('worker failed to start');
      return;
    }
    setTimeout(() => {
      if (!stopping) fork();
    }, RESTART_DELAY_MS);
  });

  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  logger.info('primary started', { workers: config.workers, port: config.port });
  for (let i = 0; i < config.workers; i++) fork();
}

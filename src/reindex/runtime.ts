import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../core/logger';
import type { IncompleteParameter, ReindexMonitor } from '../interactions/types';
import type { ReindexJob } from '../storage/reindex-jobs';
import type { Repository } from '../storage/repository';
import { ReindexState } from './state';
import { SearchParameterSync } from './sync';
import { ReindexWorker } from './worker';

export interface ReindexRuntimeOptions {
  repo: Repository;
  logger: Logger;
  /** How often to sync the registry and look for jobs (HEARTH_SYNC_INTERVAL_MS). */
  intervalMs: number;
}

/**
 * Custom search parameters and reindexing for one server: the registry sync, the reindex state
 * that searches consult, and the background worker. start() loads every stored SearchParameter
 * before the server takes requests; then both run every intervalMs until stop().
 */
export class ReindexRuntime implements ReindexMonitor {
  readonly state = new ReindexState();
  readonly sync: SearchParameterSync;
  readonly worker: ReindexWorker;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;

  constructor(private readonly options: ReindexRuntimeOptions) {
    const { repo, logger, intervalMs } = options;
    this.sync = new SearchParameterSync(repo, this.state, logger);
    this.worker = new ReindexWorker({
      repo,
      state: this.state,
      sync: this.sync,
      logger,
      owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      intervalMs,
      leaseMs: Math.max(5_000, 10 * intervalMs),
      settleMs: 3 * intervalMs,
      catchUpMarginMs: 60_000,
    });
  }

  async start(): Promise<void> {
    await this.sync.refresh();
    this.worker.start();
    const tick = (): void => {
      this.timer = setTimeout(() => {
        this.syncing = this.sync
          .refresh()
          .catch((e: Error) => this.options.logger.warn('search parameter sync failed', { error: e.message }))
          .finally(() => {
            this.syncing = undefined;
            if (this.timer) tick();
          });
      }, this.options.intervalMs);
      this.timer.unref();
    };
    tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all([this.worker.stop(), this.syncing]);
  }

  incomplete(resourceType: string, code: string): IncompleteParameter | undefined {
    return this.state.incomplete(resourceType, code);
  }

  queued(job: ReindexJob): void {
    this.state.queued(job);
    this.worker.wake();
  }
}

import type { Logger } from '../core/logger';
import { searchIndexRows } from '../search/index-rows';
import type { ReindexJob, ReindexProgress } from '../storage/reindex-jobs';
import type { ScanPosition } from '../storage/reindex-sql';
import type { Repository } from '../storage/repository';
import type { ReindexState } from './state';
import type { SearchParameterSync } from './sync';

export interface WorkerOptions {
  repo: Repository;
  state: ReindexState;
  sync: SearchParameterSync;
  logger: Logger;
  /** Names this server in the jobs it takes. */
  owner: string;
  /** How often to look for queued jobs. */
  intervalMs: number;
  /** A job is this server's for this long after each batch; then another server may take it over. */
  leaseMs: number;
  /**
   * How long after a job became visible every server has loaded its SearchParameter (the sync
   * interval with room to spare); the catch-up pass waits for it.
   */
  settleMs: number;
  /** The catch-up pass revisits resources written from this long before the job's creation. */
  catchUpMarginMs: number;
  batchSize?: number;
  /** Attempts before a job that keeps failing is marked failed. */
  maxAttempts?: number;
}

/** Thrown when the job was taken over or the server stops; the job is left to its new owner or the queue. */
class Interrupted extends Error {}

/**
 * Runs reindex jobs in the background: takes the oldest queued job (or one whose server's lease
 * expired), re-extracts the search index rows of every current resource of its types in batches
 * (keyset on resource_type, id; only index rows are written, no new versions), and records the
 * progress and cursor after each batch, so a job resumes where it stopped. Jobs queued by
 * SearchParameter changes then run a catch-up pass, once every server has the new registry, over
 * the resources written since shortly before the job was queued: writes that another server (or
 * a long transaction) indexed with the previous registry.
 */
export class ReindexWorker {
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> | undefined;
  private stopped = false;
  /** Whether start() was called: only then does the worker look for jobs by itself. */
  private started = false;
  private readonly batchSize: number;
  private readonly maxAttempts: number;

  constructor(private readonly o: WorkerOptions) {
    this.batchSize = o.batchSize ?? 200;
    this.maxAttempts = o.maxAttempts ?? 3;
  }

  start(): void {
    this.stopped = false;
    this.started = true;
    this.schedule(0);
  }

  /** Looks for jobs now rather than at the next interval. */
  wake(): void {
    if (this.started && !this.stopped && !this.busy) this.schedule(0);
  }

  /** Stops taking jobs; a job in progress is handed back to the queue after its current batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.busy;
  }

  /** Runs queued jobs until there are none (tests call it directly). */
  runPending(): Promise<void> {
    this.busy ??= this.drain().finally(() => {
      this.busy = undefined;
    });
    return this.busy;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runPending().finally(() => {
        if (this.started && !this.stopped && !this.timer) this.schedule(this.o.intervalMs);
      });
    }, ms);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      let job: ReindexJob | undefined;
      try {
        job = await this.o.repo.jobs.claim(this.o.owner, this.o.leaseMs);
      } catch (e) {
        this.o.logger.warn('reindex: could not look for jobs', { error: (e as Error).message });
        return;
      }
      if (!job) return;
      await this.run(job);
    }
  }

  private async run(job: ReindexJob): Promise<void> {
    const { logger, owner, repo } = this.o;
    logger.info('reindex job started', { job: job.id, types: job.types.length, urls: job.urls, attempt: job.attempts });
    try {
      await this.o.sync.refresh();
      let current = job.phase === 'scan' ? await this.pass(job, undefined) : job;
      if (job.incomplete) current = await this.catchUp(current);
      if (!(await repo.jobs.finish(job.id, owner))) throw new Interrupted();
      this.o.state.update({ ...current, status: 'done' });
      logger.info('reindex job done', { job: job.id, processed: current.processed });
    } catch (e) {
      if (e instanceof Interrupted) {
        if (this.stopped) await repo.jobs.release(job.id, owner).catch(() => false);
        return;
      }
      const retry = job.attempts < this.maxAttempts;
      logger.error('reindex job failed', { job: job.id, retry, error: (e as Error).stack ?? String(e) });
      await repo.jobs.fail(job.id, owner, (e as Error).message, retry).catch(() => false);
      if (!retry) this.o.state.update({ ...job, status: 'failed', error: (e as Error).message });
    }
  }

  /**
   * The catch-up pass, once every server has had time to load the change: counted from the job's
   * first start, which follows the commit that made it (and the SearchParameter) visible.
   */
  private async catchUp(job: ReindexJob): Promise<ReindexJob> {
    const created = Date.parse(job.createdAt);
    const settled = Math.max(created, Date.parse(job.startedAt ?? job.createdAt)) + this.o.settleMs;
    while (Date.now() < settled) {
      await sleep(Math.min(250, settled - Date.now()));
      await this.record(job, {});
    }
    const since = new Date(created - this.o.catchUpMarginMs).toISOString();
    if (job.phase === 'scan') {
      const extra = await this.o.repo.countScan({ types: job.types, since });
      job = await this.record(job, { phase: 'catch-up', cursor: null, total: (job.total ?? job.processed) + extra });
    }
    return this.pass(job, since);
  }

  /** Reindexes every resource of the job's types (written since `since`, when given) after its cursor. */
  private async pass(job: ReindexJob, since: string | undefined): Promise<ReindexJob> {
    const { repo } = this.o;
    if (job.total === undefined) job = await this.record(job, { total: await repo.countScan({ types: job.types }) });
    let after: ScanPosition | undefined = job.cursor;
    for (;;) {
      const rows = await repo.scan({ types: job.types, after, since, limit: this.batchSize });
      if (rows.length === 0) return job;
      await repo.rewriteIndex(rows.map((r) => ({ resourceType: r.resourceType, id: r.id, versionId: r.versionId, index: searchIndexRows(r.content!) })));
      after = { type: rows[rows.length - 1]!.resourceType, id: rows[rows.length - 1]!.id };
      job = await this.record(job, { processed: job.processed + rows.length, cursor: after });
      if (rows.length < this.batchSize) return job;
    }
  }

  /** Saves progress (renewing the lease) and publishes it; interrupted when stopping or no longer the owner. */
  private async record(job: ReindexJob, update: ReindexProgress): Promise<ReindexJob> {
    if (!(await this.o.repo.jobs.progress(job.id, this.o.owner, update, this.o.leaseMs))) throw new Interrupted();
    const { cursor, ...rest } = update;
    const next: ReindexJob = { ...job, ...rest };
    if (cursor === null) delete next.cursor;
    else if (cursor) next.cursor = cursor;
    this.o.state.update(next);
    if (this.stopped) throw new Interrupted();
    return next;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

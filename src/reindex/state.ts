import type { IncompleteParameter, ReindexMonitor } from '../interactions/types';
import type { ReindexJob } from '../storage/reindex-jobs';

/**
 * The reindex jobs that leave search parameters incomplete, as this server knows them: replaced
 * from the database on every sync, and updated at once for jobs this server queues or runs.
 * Searches read it without a database round trip.
 */
export class ReindexState implements ReindexMonitor {
  private jobs = new Map<string, ReindexJob>();
  /** Counts local changes; `touched` holds the count at each job's latest one. */
  private clock = 0;
  private readonly touched = new Map<string, number>();

  /** A mark to take before reading the jobs from the database (see replace). */
  mark(): number {
    return this.clock;
  }

  /**
   * Replaces the known jobs with those the database reported as incomplete, read after `since`
   * was marked. Local changes made meanwhile are newer than that read and are kept.
   */
  replace(jobs: ReindexJob[], since: number): void {
    const next = new Map(jobs.filter((j) => j.incomplete && j.status !== 'done').map((j) => [j.id, j]));
    for (const [id, at] of this.touched) {
      if (at <= since) {
        this.touched.delete(id);
        continue;
      }
      const local = this.jobs.get(id);
      if (local) next.set(id, local);
      else next.delete(id);
    }
    this.jobs = next;
  }

  queued(job: ReindexJob): void {
    this.touch(job.id);
    if (job.incomplete && job.status !== 'done') this.jobs.set(job.id, job);
  }

  /** Updates a job's progress or status (a done job is forgotten). */
  update(job: ReindexJob): void {
    this.touch(job.id);
    if (job.status === 'done' || !job.incomplete) this.jobs.delete(job.id);
    else this.jobs.set(job.id, job);
  }

  incomplete(resourceType: string, code: string): IncompleteParameter | undefined {
    for (const job of this.jobs.values()) {
      if (!job.types.includes(resourceType)) continue;
      if (job.codes.length > 0 && !job.codes.includes(code)) continue;
      return {
        jobId: job.id,
        processed: job.processed,
        ...(job.total !== undefined ? { total: job.total } : {}),
        failed: job.status === 'failed',
      };
    }
    return undefined;
  }

  private touch(id: string): void {
    this.clock += 1;
    this.touched.set(id, this.clock);
  }
}

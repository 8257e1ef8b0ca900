import { randomUUID } from 'node:crypto';
import type { SqlDriver } from './driver';
import type { NewReindexJob, ReindexJob, ReindexJobs, ReindexProgress } from './reindex-jobs';
import { sql, type Sql } from './sql';

interface JobRow {
  id: string;
  types: string[];
  urls: string[];
  codes: string[];
  incomplete: boolean;
  status: ReindexJob['status'];
  phase: ReindexJob['phase'];
  cursor_type: string | null;
  cursor_id: string | null;
  processed: number;
  total: number | null;
  attempts: number;
  owner: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  updated_at: string;
  finished_at: string | null;
}

const lease = (ms: number): Sql => sql`now() + ${ms}::integer * interval '1 millisecond'`;

/** ReindexJobs over the reindex_jobs table; inside a transaction when the driver is a transaction handle. */
export class SqlReindexJobs implements ReindexJobs {
  constructor(private readonly driver: SqlDriver) {}

  async enqueue(job: NewReindexJob): Promise<ReindexJob> {
    const [row] = await this.driver.query<JobRow>(sql`
      INSERT INTO reindex_jobs (id, types, urls, codes, incomplete)
      VALUES (${randomUUID()}, ${job.types}::text[], ${job.urls ?? []}::text[], ${job.codes ?? []}::text[], ${job.incomplete ?? false})
      RETURNING *`);
    return toJob(row!);
  }

  async get(id: string): Promise<ReindexJob | undefined> {
    const [row] = await this.driver.query<JobRow>(sql`SELECT * FROM reindex_jobs WHERE id = ${id}`);
    return row ? toJob(row) : undefined;
  }

  async recent(limit: number): Promise<ReindexJob[]> {
    const rows = await this.driver.query<JobRow>(sql`SELECT * FROM reindex_jobs ORDER BY created_at DESC, id LIMIT ${limit}`);
    return rows.map(toJob);
  }

  async incomplete(): Promise<ReindexJob[]> {
    const rows = await this.driver.query<JobRow>(sql`SELECT * FROM reindex_jobs WHERE incomplete AND status <> 'done' ORDER BY created_at, id`);
    return rows.map(toJob);
  }

  async claim(owner: string, leaseMs: number): Promise<ReindexJob | undefined> {
    const [row] = await this.driver.query<JobRow>(sql`
      UPDATE reindex_jobs SET status = 'running', owner = ${owner}, lease_until = ${lease(leaseMs)},
        started_at = coalesce(started_at, now()), updated_at = now(), attempts = attempts + 1
      WHERE id = (
        SELECT id FROM reindex_jobs
        WHERE status = 'queued' OR (status = 'running' AND lease_until < now())
        ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING *`);
    return row ? toJob(row) : undefined;
  }

  async progress(id: string, owner: string, update: ReindexProgress, leaseMs: number): Promise<boolean> {
    const cursor = update.cursor;
    const rows = await this.driver.query(sql`
      UPDATE reindex_jobs SET lease_until = ${lease(leaseMs)}, updated_at = now(),
        processed = coalesce(${update.processed ?? null}::bigint, processed),
        total = coalesce(${update.total ?? null}::bigint, total),
        phase = coalesce(${update.phase ?? null}::text, phase),
        cursor_type = CASE WHEN ${cursor !== undefined}::boolean THEN ${cursor?.type ?? null}::text ELSE cursor_type END,
        cursor_id = CASE WHEN ${cursor !== undefined}::boolean THEN ${cursor?.id ?? null}::text ELSE cursor_id END
      WHERE id = ${id} AND owner = ${owner} AND status = 'running'
      RETURNING id`);
    return rows.length > 0;
  }

  finish(id: string, owner: string): Promise<boolean> {
    return this.driver.transaction(async (tx) => {
      const [done] = await tx.query<Pick<JobRow, 'types' | 'codes'>>(sql`
        UPDATE reindex_jobs SET status = 'done', finished_at = now(), updated_at = now(), owner = NULL, lease_until = NULL
        WHERE id = ${id} AND owner = ${owner} AND status = 'running'
        RETURNING types, codes`);
      if (!done) return false;
      await tx.query(sql`
        UPDATE reindex_jobs SET incomplete = false, updated_at = now()
        WHERE status = 'failed' AND incomplete AND types <@ ${done.types}::text[]
          AND (cardinality(${done.codes}::text[]) = 0 OR codes <@ ${done.codes}::text[])`);
      return true;
    });
  }

  async release(id: string, owner: string): Promise<boolean> {
    const rows = await this.driver.query(sql`
      UPDATE reindex_jobs SET status = 'queued', owner = NULL, lease_until = NULL, updated_at = now()
      WHERE id = ${id} AND owner = ${owner} AND status = 'running'
      RETURNING id`);
    return rows.length > 0;
  }

  async fail(id: string, owner: string, error: string, retry: boolean): Promise<boolean> {
    const rows = await this.driver.query(sql`
      UPDATE reindex_jobs SET status = ${retry ? 'queued' : 'failed'}, error = ${error}, updated_at = now(),
        owner = NULL, lease_until = NULL, finished_at = CASE WHEN ${retry}::boolean THEN NULL ELSE now() END
      WHERE id = ${id} AND owner = ${owner} AND status = 'running'
      RETURNING id`);
    return rows.length > 0;
  }
}

function toJob(row: JobRow): ReindexJob {
  const job: ReindexJob = {
    id: row.id,
    types: row.types,
    urls: row.urls,
    codes: row.codes,
    incomplete: row.incomplete,
    status: row.status,
    phase: row.phase,
    processed: Number(row.processed),
    attempts: row.attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.cursor_type !== null && row.cursor_id !== null) job.cursor = { type: row.cursor_type, id: row.cursor_id };
  if (row.total !== null) job.total = Number(row.total);
  if (row.owner !== null) job.owner = row.owner;
  if (row.error !== null) job.error = row.error;
  if (row.started_at !== null) job.startedAt = row.started_at;
  if (row.finished_at !== null) job.finishedAt = row.finished_at;
  return job;
}

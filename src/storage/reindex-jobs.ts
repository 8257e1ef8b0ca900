import type { ScanPosition } from './reindex-sql';

/** The reindex job queue (table reindex_jobs, migration 0004). */

export type ReindexJobStatus = 'queued' | 'running' | 'done' | 'failed';
export type ReindexPhase = 'scan' | 'catch-up';

export interface ReindexJob {
  id: string;
  /** Resource types whose resources are reindexed. */
  types: string[];
  /** Canonical URLs and codes of the SearchParameters the job is for (empty: every parameter). */
  urls: string[];
  codes: string[];
  /** Whether searches on `codes` warn that results may be incomplete until the job is done. */
  incomplete: boolean;
  status: ReindexJobStatus;
  phase: ReindexPhase;
  /** The last resource the scan finished. */
  cursor?: ScanPosition;
  processed: number;
  /** Resources to visit; counted when the job first runs. */
  total?: number;
  /** How many times a server took the job. */
  attempts: number;
  owner?: string;
  error?: string;
  createdAt: string;
  startedAt?: string;
  updatedAt: string;
  finishedAt?: string;
}

export interface NewReindexJob {
  types: string[];
  urls?: string[];
  codes?: string[];
  incomplete?: boolean;
}

export interface ReindexProgress {
  processed?: number;
  total?: number;
  phase?: ReindexPhase;
  /** null clears the cursor (a new phase starts from the beginning). */
  cursor?: ScanPosition | null;
}

export interface ReindexJobs {
  enqueue(job: NewReindexJob): Promise<ReindexJob>;
  get(id: string): Promise<ReindexJob | undefined>;
  /** The newest jobs first. */
  recent(limit: number): Promise<ReindexJob[]>;
  /** Jobs marked incomplete that are not done (queued, running or failed), oldest first. */
  incomplete(): Promise<ReindexJob[]>;
  /**
   * Takes the oldest job that is queued, or running under an expired lease (its server stopped),
   * for `owner` until `leaseMs` from now. Servers never take the same job: rows locked by
   * another claim are skipped (FOR UPDATE SKIP LOCKED).
   */
  claim(owner: string, leaseMs: number): Promise<ReindexJob | undefined>;
  /** Records progress and renews the lease; false when the job is no longer `owner`'s. */
  progress(id: string, owner: string, update: ReindexProgress, leaseMs: number): Promise<boolean>;
  /**
   * Marks the job done (false when it is no longer `owner`'s). Failed jobs whose types and codes
   * it covers stop counting as incomplete.
   */
  finish(id: string, owner: string): Promise<boolean>;
  /** Hands a running job back to the queue (keeping its cursor), e.g. when its server stops. */
  release(id: string, owner: string): Promise<boolean>;
  /** Records an error: back to queued (keeping the cursor) when `retry`, else failed. */
  fail(id: string, owner: string, error: string, retry: boolean): Promise<boolean>;
}

import type { Resource } from '@medplum/fhirtypes';
import type { IndexRows } from './index-tables';
import type { ReindexJobs } from './reindex-jobs';
import type { IndexRewrite, ScanQuery } from './reindex-sql';
import type { Sql } from './sql';

/** One stored version of a resource. `content` is null for a deletion. */
export interface StoredVersion {
  resourceType: string;
  id: string;
  versionId: number;
  /** FHIR instant, e.g. 2026-01-02T03:04:05.678Z; equal to content.meta.lastUpdated. */
  lastUpdated: string;
  deleted: boolean;
  content: Resource | null;
}

export interface WriteInput {
  resourceType: string;
  id: string;
  /**
   * The resource to store (meta.versionId and meta.lastUpdated are filled in by the repository),
   * or null to record a deletion.
   */
  content: Resource | null;
  /**
   * Optimistic lock. undefined: no check. null: the resource must not exist (or be deleted).
   * A number: the current version must be exactly this one; otherwise a 412 FhirError is thrown.
   */
  expectedVersionId?: number | null;
  /** Rows of the derived index tables (references, search indexes) for the new version. */
  index?: IndexRows;
  /** Filled by write(): whether this version brought the resource into existence (new, or after a deletion). */
  report?: { created?: boolean };
}

export interface HistoryQuery {
  resourceType?: string;
  id?: string;
  /** Only versions with lastUpdated >= since (FHIR instant). */
  since?: string;
  /** Only versions current at this instant, or at some point of [at, atEnd) when atEnd is given. */
  at?: string;
  atEnd?: string;
  count: number;
  /** Opaque cursor from a previous page's `next`. */
  cursor?: string;
  /** Whether to count all matching versions into `HistoryPage.total` (default true). */
  total?: boolean;
}

export interface HistoryPage {
  entries: StoredVersion[];
  /** Cursor of the next (older) page, if any. */
  next?: string;
  total?: number;
}

/** A row of a search statement: a current version, with the text of its sort key values. */
export interface SearchRow extends StoredVersion {
  sortKeys: (string | null)[];
}

export interface Repository {
  /**
   * Current version (possibly a deletion marker), or undefined if never created. With forUpdate,
   * inside transaction(), the row stays locked until the transaction ends, so a read-modify-write
   * (patch, delete) cannot be overtaken by a concurrent write.
   */
  readCurrent(resourceType: string, id: string, options?: { forUpdate?: boolean }): Promise<StoredVersion | undefined>;
  readVersion(resourceType: string, id: string, versionId: number): Promise<StoredVersion | undefined>;
  /** Writes a new version: current row + history row, atomically. Returns the stored version. */
  write(input: WriteInput): Promise<StoredVersion>;
  history(query: HistoryQuery): Promise<HistoryPage>;
  /**
   * Current, non-deleted resources of one type matching `where`, a fragment built with the
   * `sql` builder over the current-resources table aliased `r` (columns: resource_type, id,
   * version_id, last_updated, deleted, content). At most `limit` rows, ordered by id.
   */
  find(resourceType: string, where: Sql, limit: number): Promise<StoredVersion[]>;
  /**
   * Runs a search statement built by src/search/query: it selects the columns of the
   * current-resources table (resource_type, id, version_id, last_updated, deleted, content) and
   * `sort_keys text[]`. Rows are returned in the statement's order.
   */
  search(statement: Sql): Promise<SearchRow[]>;
  /**
   * The number of matches of a search: `accurate` runs a `SELECT count(*) AS total …` statement;
   * `estimate` asks the planner how many rows a statement would return (EXPLAIN), without running it.
   */
  count(statement: Sql, mode: 'accurate' | 'estimate'): Promise<number>;
  /** Of the given targets, those that are not current, non-deleted resources. */
  missingTargets(targets: { type: string; id: string }[]): Promise<{ type: string; id: string }[]>;
  /** Current resources (other than the target itself) whose references name the target; at most `limit`. */
  referrers(type: string, id: string, limit: number): Promise<{ type: string; id: string }[]>;
  /**
   * Inside transaction(): locks the current rows of resources the transaction is about to write,
   * in one round trip and in (type, id) order, so their writes can be batched. Elsewhere a no-op.
   */
  prepareWrites(targets: { type: string; id: string }[]): Promise<void>;
  /**
   * Takes a transaction-scoped lock on an arbitrary key (e.g. a conditional create's criteria), held
   * until the surrounding transaction ends. Only meaningful inside transaction().
   */
  lock(key: string): Promise<void>;
  /** Runs fn in one database transaction; nested calls join the outer one. */
  transaction<T>(fn: (repo: Repository) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` once the surrounding transaction has committed (never when it rolls back, nor for
   * an attempt that is retried); outside a transaction, at once. `fn` must not throw.
   */
  afterCommit(fn: () => void): void;
  /** The reindex job queue, on this repository's connection (inside its transaction, if any). */
  readonly jobs: ReindexJobs;
  /** A page of current, non-deleted resources of some types, in (resource_type, id) order. */
  scan(query: ScanQuery): Promise<StoredVersion[]>;
  /** How many resources a whole scan visits. */
  countScan(query: Omit<ScanQuery, 'after' | 'limit'>): Promise<number>;
  /**
   * Replaces the search index rows of resources without writing new versions, each only if its
   * current version is still the one given (a newer version has fresh rows). One transaction;
   * returns how many were rewritten.
   */
  rewriteIndex(rewrites: IndexRewrite[]): Promise<number>;
}

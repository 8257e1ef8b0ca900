import { createHash } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { errors } from '../core/errors';
import type { SqlDriver } from './driver';
import { encodeHistoryCursor, historyPageSql, historyTotalSql } from './history-query';
import type { HistoryPage, HistoryQuery, Repository, SearchRow, StoredVersion, WriteInput } from './repository';
import { indexStatements } from './index-statements';
import type { ReindexJobs } from './reindex-jobs';
import { rewriteIndexSql, scanCountSql, scanSql, type IndexRewrite, type ScanQuery } from './reindex-sql';
import { SqlReindexJobs } from './sql-reindex-jobs';
import { WriteBuffer } from './write-buffer';
import { prepared, sql, type Sql } from './sql';

export interface SqlRepositoryOptions {
  /** Current time in epoch milliseconds (default Date.now); lastUpdated derives from it. */
  now?: () => number;
}

interface VersionRow {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: string;
  deleted: boolean;
  content: Resource | null;
}

interface CurrentRow {
  version_id: number;
  last_updated: string;
  deleted: boolean;
}

const CURRENT_COLUMNS = sql`r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, r.content`;

/** How often write() retries after losing a race to create the same new resource. */
const CREATE_RACE_RETRIES = 3;

/** Repository over the `resources` / `resource_history` tables of migration 0001. */
export class SqlRepository implements Repository {
  private readonly now: () => number;
  readonly jobs: ReindexJobs;

  /** `commitHooks`: set on a repository bound to a transaction, collecting afterCommit callbacks. */
  constructor(
    private readonly driver: SqlDriver,
    private readonly options: SqlRepositoryOptions = {},
    private readonly commitHooks?: (() => void)[],
    /** Set on a repository bound to a transaction: writes whose current row is known are batched. */
    private readonly buffer?: WriteBuffer,
  ) {
    this.now = options.now ?? Date.now;
    this.jobs = new SqlReindexJobs(driver);
  }

  async readCurrent(resourceType: string, id: string, options: { forUpdate?: boolean } = {}): Promise<StoredVersion | undefined> {
    await this.buffer?.flush();
    const lock = options.forUpdate ? sql` FOR UPDATE` : sql``;
    const rows = await this.driver.query<VersionRow>(
      prepared(sql`SELECT ${CURRENT_COLUMNS} FROM resources r WHERE r.resource_type = ${resourceType} AND r.id = ${id}${lock}`),
    );
    return rows.length > 0 ? toStoredVersion(rows[0]!) : undefined;
  }

  async readVersion(resourceType: string, id: string, versionId: number): Promise<StoredVersion | undefined> {
    await this.buffer?.flush();
    const rows = await this.driver.query<VersionRow>(
      prepared(sql`SELECT h.resource_type, h.id, h.version_id, h.last_updated, h.deleted, h.content
          FROM resource_history h
          WHERE h.resource_type = ${resourceType} AND h.id = ${id} AND h.version_id = ${versionId}`),
    );
    return rows.length > 0 ? toStoredVersion(rows[0]!) : undefined;
  }

  /**
   * Two statements in one transaction: lock the current row, then upsert it and append the
   * history row. A resource that does not exist yet has no row to lock; two racing creates
   * both reach the upsert, where ON CONFLICT lets exactly one insert and the other retry
   * (now seeing, and locking, the winner's row).
   */
  async write(input: WriteInput): Promise<StoredVersion> {
    if (this.buffer) {
      const buffered = await this.bufferedWrite(this.buffer, input);
      if (buffered) return buffered;
      await this.buffer.flush();
    }
    return this.driver.transaction(async (tx) => {
      for (let attempt = 1; ; attempt++) {
        const stored = await this.tryWrite(tx, input, attempt);
        if (stored) return stored;
        if (attempt >= CREATE_RACE_RETRIES) {
          throw new Error(`write ${input.resourceType}/${input.id}: lost the create race ${attempt} times`);
        }
      }
    });
  }

  /**
   * A write into the transaction's buffer, when its current row is known: locked by
   * prepareWrites(), written earlier in this transaction, or a create (a fresh id, assumed absent;
   * the flush verifies it). Undefined when the buffer cannot take it.
   */
  private async bufferedWrite(buffer: WriteBuffer, input: WriteInput): Promise<StoredVersion | undefined> {
    const { resourceType, id } = input;
    if (input.expectedVersionId === null) buffer.assumeAbsent(resourceType, id);
    const known = buffer.knows(resourceType, id);
    if (known === undefined) return undefined;
    const current = known ?? undefined;
    checkExpectedVersion(input, current);
    const versionId = (current?.version_id ?? 0) + 1;
    const lastUpdated = nextInstant(this.now(), current?.last_updated);
    const content = input.content === null ? null : withMeta(input, input.content, versionId, lastUpdated);
    const deleted = content === null;
    if (input.report) input.report.created = !deleted && (!current || current.deleted);
    await buffer.add({
      resourceType,
      id,
      versionId,
      lastUpdated,
      deleted,
      json: content === null ? null : JSON.stringify(content),
      previous: current?.version_id ?? null,
      index: deleted ? {} : (input.index ?? {}),
    });
    return { resourceType, id, versionId, lastUpdated, deleted, content };
  }

  async prepareWrites(targets: { type: string; id: string }[]): Promise<void> {
    await this.buffer?.prefetch(targets);
  }

  private async tryWrite(tx: SqlDriver, input: WriteInput, attempt: number): Promise<StoredVersion | undefined> {
    // A create (expected not to exist) first tries the insert alone: for a new id that is the only
    // statement. If the row exists after all, the upsert writes nothing and the locked path follows.
    if (input.expectedVersionId === null && attempt === 1) {
      const created = await this.upsert(tx, input, undefined);
      if (created) return created;
    }
    const [current] = await tx.query<CurrentRow>(
      prepared(sql`SELECT version_id, last_updated, deleted FROM resources
          WHERE resource_type = ${input.resourceType} AND id = ${input.id} FOR UPDATE`),
    );
    checkExpectedVersion(input, current);
    return this.upsert(tx, input, current);
  }

  /** Writes the version after `current` (none: version 1); undefined when `current` is no longer current. */
  private async upsert(tx: SqlDriver, input: WriteInput, current: CurrentRow | undefined): Promise<StoredVersion | undefined> {
    const { resourceType, id } = input;

    const versionId = (current?.version_id ?? 0) + 1;
    const lastUpdated = nextInstant(this.now(), current?.last_updated);
    const content = input.content === null ? null : withMeta(input, input.content, versionId, lastUpdated);
    const deleted = content === null;
    const json = content === null ? null : JSON.stringify(content);

    const rows = await tx.query<{ seq: number }>(prepared(sql`
      WITH cur AS (
        INSERT INTO resources AS r (resource_type, id, version_id, last_updated, deleted, content)
        VALUES (${resourceType}, ${id}, ${versionId}, ${lastUpdated}, ${deleted}, ${json}::jsonb)
        ON CONFLICT (resource_type, id) DO UPDATE SET
          version_id = excluded.version_id, last_updated = excluded.last_updated,
          deleted = excluded.deleted, content = excluded.content
        WHERE r.version_id = ${current?.version_id ?? null}::integer
        RETURNING r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, r.content
      ), hist AS (
        INSERT INTO resource_history (resource_type, id, version_id, last_updated, deleted, content)
        SELECT resource_type, id, version_id, last_updated, deleted, content FROM cur
        RETURNING seq
      )${indexStatements(resourceType, id, deleted ? {} : (input.index ?? {}), current !== undefined)}
      SELECT seq FROM hist`));
    // No row: the resource was created concurrently after our lock attempt found nothing.
    if (rows.length === 0) return undefined;
    if (input.report) input.report.created = !deleted && (!current || current.deleted);
    return { resourceType, id, versionId, lastUpdated, deleted, content };
  }

  async history(query: HistoryQuery): Promise<HistoryPage> {
    await this.buffer?.flush();
    if (!Number.isInteger(query.count) || query.count < 0) {
      throw new Error(`history: count must be a non-negative integer, got ${query.count}`);
    }
    const [rows, total] = await Promise.all([
      query.count > 0 ? this.driver.query<VersionRow & { seq: number }>(historyPageSql(query)) : [],
      query.total === false ? undefined : this.countHistory(query),
    ]);
    const page = rows.slice(0, query.count);
    const result: HistoryPage = { entries: page.map(toStoredVersion) };
    if (rows.length > query.count) result.next = encodeHistoryCursor(page[page.length - 1]!.seq);
    if (total !== undefined) result.total = total;
    return result;
  }

  private async countHistory(query: HistoryQuery): Promise<number> {
    const [row] = await this.driver.query<{ total: number }>(historyTotalSql(query));
    return row?.total ?? 0;
  }

  async find(resourceType: string, where: Sql, limit: number): Promise<StoredVersion[]> {
    await this.buffer?.flush();
    const condition = where.isEmpty ? sql`` : sql` AND (${where})`;
    const rows = await this.driver.query<VersionRow>(
      sql`SELECT ${CURRENT_COLUMNS} FROM resources r
          WHERE r.resource_type = ${resourceType} AND NOT r.deleted${condition}
          ORDER BY r.id LIMIT ${limit}`,
    );
    return rows.map(toStoredVersion);
  }

  async search(statement: Sql): Promise<SearchRow[]> {
    await this.buffer?.flush();
    const rows = await this.driver.query<VersionRow & { sort_keys: (string | null)[] | null }>(statement);
    return rows.map((row) => ({ ...toStoredVersion(row), sortKeys: row.sort_keys ?? [] }));
  }

  async count(statement: Sql, mode: 'accurate' | 'estimate'): Promise<number> {
    await this.buffer?.flush();
    if (mode === 'accurate') {
      const [row] = await this.driver.query<{ total: number | string }>(statement);
      return Number(row?.total ?? 0);
    }
    const [row] = await this.driver.query<{ 'QUERY PLAN': unknown }>(sql`EXPLAIN (FORMAT JSON) ${statement}`);
    const plan = row?.['QUERY PLAN'];
    const parsed = (typeof plan === 'string' ? JSON.parse(plan) : plan) as { Plan?: { 'Plan Rows'?: number } }[];
    return Math.round(parsed?.[0]?.Plan?.['Plan Rows'] ?? 0);
  }

  async missingTargets(targets: { type: string; id: string }[]): Promise<{ type: string; id: string }[]> {
    await this.buffer?.flush();
    if (targets.length === 0) return [];
    // FOR KEY SHARE holds the targets until this transaction ends: a concurrent delete (FOR UPDATE)
    // waits for it, and a target being deleted concurrently is re-checked once that delete commits.
    const found = await this.driver.query<{ type: string; id: string }>(sql`
      SELECT r.resource_type AS type, r.id FROM resources r
      JOIN unnest(${targets.map((t) => t.type)}::text[], ${targets.map((t) => t.id)}::text[]) AS t(type, id)
        ON r.resource_type = t.type AND r.id = t.id
      WHERE NOT r.deleted ORDER BY r.resource_type, r.id FOR KEY SHARE OF r`);
    const present = new Set(found.map((f) => `${f.type}/${f.id}`));
    return targets.filter((t) => !present.has(`${t.type}/${t.id}`));
  }

  async referrers(type: string, id: string, limit: number): Promise<{ type: string; id: string }[]> {
    await this.buffer?.flush();
    return this.driver.query<{ type: string; id: string }>(prepared(sql`
      SELECT DISTINCT x.resource_type AS type, x.id FROM resource_references x
      WHERE x.target_type = ${type} AND x.target_id = ${id} AND NOT (x.resource_type = ${type} AND x.id = ${id})
      ORDER BY 1, 2 LIMIT ${limit}`));
  }

  async lock(key: string): Promise<void> {
    await this.driver.query(prepared(sql`SELECT pg_advisory_xact_lock(${lockKey(key)}::bigint)`));
  }

  async transaction<T>(fn: (repo: Repository) => Promise<T>): Promise<T> {
    if (this.commitHooks) return this.driver.transaction(() => fn(this));
    let hooks: (() => void)[] = [];
    const result = await this.driver.transaction(async (tx) => {
      // A retried attempt starts over: the hooks of the rolled-back one are dropped.
      hooks = [];
      const buffer = new WriteBuffer(tx);
      const value = await fn(new SqlRepository(tx, this.options, hooks, buffer));
      await buffer.flush();
      return value;
    });
    for (const hook of hooks) hook();
    return result;
  }

  afterCommit(fn: () => void): void {
    if (this.commitHooks) this.commitHooks.push(fn);
    else fn();
  }

  async scan(query: ScanQuery): Promise<StoredVersion[]> {
    await this.buffer?.flush();
    return (await this.driver.query<VersionRow>(scanSql(query))).map(toStoredVersion);
  }

  async countScan(query: Omit<ScanQuery, 'after' | 'limit'>): Promise<number> {
    await this.buffer?.flush();
    const [row] = await this.driver.query<{ total: number | string }>(scanCountSql(query));
    return Number(row?.total ?? 0);
  }

  async rewriteIndex(rewrites: IndexRewrite[]): Promise<number> {
    await this.buffer?.flush();
    return this.driver.transaction(async (tx) => {
      let rewritten = 0;
      for (const r of rewrites) {
        const [row] = await tx.query<{ n: number }>(rewriteIndexSql(r));
        rewritten += row?.n ?? 0;
      }
      return rewritten;
    });
  }
}

/** A signed 64-bit key for pg_advisory_xact_lock, from the first 8 bytes of SHA-256. */
function lockKey(key: string): string {
  return createHash('sha256').update(key).digest().readBigInt64BE(0).toString();
}

function checkExpectedVersion(input: WriteInput, current: CurrentRow | undefined): void {
  const expected = input.expectedVersionId;
  if (expected === undefined) return;
  const ref = `${input.resourceType}/${input.id}`;
  if (expected === null) {
    if (current && !current.deleted) {
      throw errors.preconditionFailed(`${ref} already exists (current version ${current.version_id})`);
    }
    return;
  }
  if (!current) {
    throw errors.preconditionFailed(`Version conflict on ${ref}: expected version ${expected}, but it does not exist`);
  }
  if (current.version_id !== expected) {
    throw errors.preconditionFailed(
      `Version conflict on ${ref}: expected version ${expected}, but the current version is ${current.version_id}`,
    );
  }
}

/** Now, at millisecond precision, but always after the previous version's instant. */
function nextInstant(nowMs: number, previous: string | undefined): string {
  let ms = Math.floor(nowMs);
  if (previous !== undefined) ms = Math.max(ms, Date.parse(previous) + 1);
  return new Date(ms).toISOString();
}

/** A shallow copy of the resource with id and meta.versionId / meta.lastUpdated set. */
function withMeta(input: WriteInput, content: Resource, versionId: number, lastUpdated: string): Resource {
  if (content.resourceType !== input.resourceType) {
    throw new Error(`write: content is a ${content.resourceType}, not a ${input.resourceType}`);
  }
  if (content.id !== undefined && content.id !== input.id) {
    throw new Error(`write: content id ${content.id} does not match ${input.id}`);
  }
  const { resourceType, id: _id, meta, ...rest } = content;
  return { resourceType, id: input.id, meta: { ...meta, versionId: String(versionId), lastUpdated }, ...rest } as Resource;
}

function toStoredVersion(row: VersionRow): StoredVersion {
  return {
    resourceType: row.resource_type,
    id: row.id,
    versionId: row.version_id,
    lastUpdated: row.last_updated,
    deleted: row.deleted,
    content: row.content === null ? null : resourceTypeFirst(row.content),
  };
}

/** jsonb stores keys in its own order; put resourceType, id and meta back in front, as FHIR JSON reads best. */
function resourceTypeFirst(content: Resource): Resource {
  const { resourceType, id, meta, ...rest } = content;
  return { resourceType, id, meta, ...rest } as Resource;
}

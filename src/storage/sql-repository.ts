import { createHash } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { errors } from '../core/errors';
import type { SqlDriver } from './driver';
import { encodeHistoryCursor, historyPageSql, historyTotalSql } from './history-query';
import type { HistoryPage, HistoryQuery, Repository, SearchRow, StoredVersion, WriteInput } from './repository';
import { INDEX_TABLES, type IndexRows } from './index-tables';
import { ident, join, prepared, raw, sql, type Sql } from './sql';

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

/**
 * CTEs that replace the resource's rows in every index table (only when the resource row was
 * written: they read `cur`). The text depends only on INDEX_TABLES, so the statement stays prepared.
 */
function indexStatements(resourceType: string, id: string, rows: IndexRows, existed: boolean): Sql {
  return join(
    INDEX_TABLES.map((t, i) => {
      const tableRows = rows[t.name] ?? [];
      const arrays = t.columns.map((c, ci) => sql`${tableRows.map((r) => r[ci] ?? null)}::${raw(c.type)}[]`);
      const n = raw(String(i));
      return sql`d${n} AS (DELETE FROM ${ident(t.name)} WHERE ${existed}::boolean AND EXISTS (SELECT 1 FROM cur)
          AND resource_type = ${resourceType} AND id = ${id}),
        i${n} AS (INSERT INTO ${ident(t.name)} (resource_type, id, ${join(t.columns.map((c) => ident(c.name)))})
          SELECT ${resourceType}, ${id}, u.* FROM unnest(${join(arrays)}) AS u WHERE EXISTS (SELECT 1 FROM cur))`;
    }),
    ', ',
  );
}

/** Repository over the `resources` / `resource_history` tables of migration 0001. */
export class SqlRepository implements Repository {
  private readonly now: () => number;

  constructor(
    private readonly driver: SqlDriver,
    private readonly options: SqlRepositoryOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async readCurrent(resourceType: string, id: string, options: { forUpdate?: boolean } = {}): Promise<StoredVersion | undefined> {
    const lock = options.forUpdate ? sql` FOR UPDATE` : sql``;
    const rows = await this.driver.query<VersionRow>(
      prepared(sql`SELECT ${CURRENT_COLUMNS} FROM resources r WHERE r.resource_type = ${resourceType} AND r.id = ${id}${lock}`),
    );
    return rows.length > 0 ? toStoredVersion(rows[0]!) : undefined;
  }

  async readVersion(resourceType: string, id: string, versionId: number): Promise<StoredVersion | undefined> {
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
  write(input: WriteInput): Promise<StoredVersion> {
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
      ), ${indexStatements(resourceType, id, deleted ? {} : (input.index ?? {}), current !== undefined)}
      SELECT seq FROM hist`));
    // No row: the resource was created concurrently after our lock attempt found nothing.
    if (rows.length === 0) return undefined;
    return { resourceType, id, versionId, lastUpdated, deleted, content };
  }

  async history(query: HistoryQuery): Promise<HistoryPage> {
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
    const condition = where.isEmpty ? sql`` : sql` AND (${where})`;
    const rows = await this.driver.query<VersionRow>(
      sql`SELECT ${CURRENT_COLUMNS} FROM resources r
          WHERE r.resource_type = ${resourceType} AND NOT r.deleted${condition}
          ORDER BY r.id LIMIT ${limit}`,
    );
    return rows.map(toStoredVersion);
  }

  async search(statement: Sql): Promise<SearchRow[]> {
    const rows = await this.driver.query<VersionRow & { sort_keys: (string | null)[] | null }>(statement);
    return rows.map((row) => ({ ...toStoredVersion(row), sortKeys: row.sort_keys ?? [] }));
  }

  async count(statement: Sql, mode: 'accurate' | 'estimate'): Promise<number> {
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
    return this.driver.query<{ type: string; id: string }>(prepared(sql`
      SELECT DISTINCT x.resource_type AS type, x.id FROM resource_references x
      WHERE x.target_type = ${type} AND x.target_id = ${id} AND NOT (x.resource_type = ${type} AND x.id = ${id})
      ORDER BY 1, 2 LIMIT ${limit}`));
  }

  async lock(key: string): Promise<void> {
    await this.driver.query(prepared(sql`SELECT pg_advisory_xact_lock(${lockKey(key)}::bigint)`));
  }

  transaction<T>(fn: (repo: Repository) => Promise<T>): Promise<T> {
    return this.driver.transaction((tx) => fn(tx === this.driver ? this : new SqlRepository(tx, this.options)));
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

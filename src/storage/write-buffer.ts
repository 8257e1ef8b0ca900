import { FhirError } from '../core/errors';
import type { SqlDriver } from './driver';
import { INDEX_TABLES, type IndexRows } from './index-tables';
import { ident, join, raw, sql } from './sql';

/** The current row of a resource as the buffer knows it: locked when it exists, null when absent. */
export interface KnownRow {
  version_id: number;
  last_updated: string;
  deleted: boolean;
}

/** One version waiting to be written. `previous` is the version it replaces (null: none). */
export interface PendingWrite {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: string;
  deleted: boolean;
  json: string | null;
  previous: number | null;
  index: IndexRows;
}

const key = (type: string, id: string) => `${type}/${id}`;

/**
 * Collects the writes of one transaction and sends them in a few multi-row statements instead of
 * one statement per resource. It only takes writes whose current row it knows: rows locked by
 * prefetch(), or ids known to be absent. A flush that finds a row changed after all (a
 * concurrent create of the same id) fails as a serialization failure, so the whole transaction
 * is retried (PostgreSQL) or refused as a transient conflict (PGlite, which runs one transaction
 * at a time and cannot meet it).
 */
export class WriteBuffer {
  private pending: PendingWrite[] = [];
  private readonly known = new Map<string, KnownRow | null>();

  constructor(
    private readonly tx: SqlDriver,
    private readonly limit = 500,
  ) {}

  /** Locks the current rows of the targets, in (type, id) order, and remembers them (absent ones too). */
  async prefetch(targets: { type: string; id: string }[]): Promise<void> {
    const fresh = [...new Map(targets.filter((t) => !this.known.has(key(t.type, t.id))).map((t) => [key(t.type, t.id), t])).values()];
    if (fresh.length === 0) return;
    fresh.sort((a, b) => (a.type === b.type ? (a.id < b.id ? -1 : 1) : a.type < b.type ? -1 : 1));
    await this.flush();
    const rows = await this.tx.query<KnownRow & { resource_type: string; id: string }>(sql`
      SELECT r.resource_type, r.id, r.version_id, r.last_updated, r.deleted FROM resources r
      JOIN unnest(${fresh.map((t) => t.type)}::text[], ${fresh.map((t) => t.id)}::text[]) AS t(type, id)
        ON r.resource_type = t.type AND r.id = t.id
      ORDER BY r.resource_type, r.id FOR UPDATE OF r`);
    for (const t of fresh) this.known.set(key(t.type, t.id), null);
    for (const r of rows) this.known.set(key(r.resource_type, r.id), { version_id: r.version_id, last_updated: r.last_updated, deleted: r.deleted });
  }

  /** The known current row (null: absent), or undefined when the buffer does not know it. */
  knows(type: string, id: string): KnownRow | null | undefined {
    return this.known.get(key(type, id));
  }

  /** Declares an id as absent without a lookup (a freshly generated id). */
  assumeAbsent(type: string, id: string): void {
    if (!this.known.has(key(type, id))) this.known.set(key(type, id), null);
  }

  async add(w: PendingWrite): Promise<void> {
    this.pending.push(w);
    this.known.set(key(w.resourceType, w.id), { version_id: w.versionId, last_updated: w.lastUpdated, deleted: w.deleted });
    if (this.pending.length >= this.limit) await this.flush();
  }

  /** Writes everything pending: current rows, history, and index rows. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const created = batch.filter((w) => w.previous === null);
    const updated = batch.filter((w) => w.previous !== null);
    const columns = (list: PendingWrite[]) => ({
      types: list.map((w) => w.resourceType),
      ids: list.map((w) => w.id),
      versions: list.map((w) => w.versionId),
      updatedAt: list.map((w) => w.lastUpdated),
      deleted: list.map((w) => w.deleted),
      content: list.map((w) => w.json),
      previous: list.map((w) => w.previous ?? 0),
    });
    if (created.length > 0) {
      const c = columns(created);
      const rows = await this.tx.query<{ id: string }>(sql`
        INSERT INTO resources (resource_type, id, version_id, last_updated, deleted, content)
        SELECT t.type, t.id, t.version, t.updated::timestamptz, t.deleted, t.content::jsonb
        FROM unnest(${c.types}::text[], ${c.ids}::text[], ${c.versions}::int[], ${c.updatedAt}::text[], ${c.deleted}::boolean[], ${c.content}::text[])
          AS t(type, id, version, updated, deleted, content)
        ON CONFLICT (resource_type, id) DO NOTHING RETURNING id`);
      if (rows.length !== created.length) this.conflict();
    }
    if (updated.length > 0) {
      const u = columns(updated);
      const rows = await this.tx.query<{ id: string }>(sql`
        UPDATE resources r SET version_id = t.version, last_updated = t.updated::timestamptz, deleted = t.deleted, content = t.content::jsonb
        FROM unnest(${u.types}::text[], ${u.ids}::text[], ${u.versions}::int[], ${u.updatedAt}::text[], ${u.deleted}::boolean[], ${u.content}::text[], ${u.previous}::int[])
          AS t(type, id, version, updated, deleted, content, previous)
        WHERE r.resource_type = t.type AND r.id = t.id AND r.version_id = t.previous RETURNING r.id`);
      if (rows.length !== updated.length) this.conflict();
      for (const table of INDEX_TABLES) {
        await this.tx.query(sql`DELETE FROM ${ident(table.name)} x
          USING unnest(${u.types}::text[], ${u.ids}::text[]) AS t(type, id)
          WHERE x.resource_type = t.type AND x.id = t.id`);
      }
    }
    const all = columns(batch);
    await this.tx.query(sql`
      INSERT INTO resource_history (resource_type, id, version_id, last_updated, deleted, content)
      SELECT t.type, t.id, t.version, t.updated::timestamptz, t.deleted, t.content::jsonb
      FROM unnest(${all.types}::text[], ${all.ids}::text[], ${all.versions}::int[], ${all.updatedAt}::text[], ${all.deleted}::boolean[], ${all.content}::text[])
        AS t(type, id, version, updated, deleted, content)`);
    await this.insertIndexRows(batch);
  }

  private async insertIndexRows(batch: PendingWrite[]): Promise<void> {
    for (const table of INDEX_TABLES) {
      const types: string[] = [];
      const ids: string[] = [];
      const values: unknown[][] = table.columns.map(() => []);
      for (const w of batch) {
        for (const row of w.index[table.name] ?? []) {
          types.push(w.resourceType);
          ids.push(w.id);
          table.columns.forEach((_, i) => values[i]!.push(row[i] ?? null));
        }
      }
      if (types.length === 0) continue;
      const arrays = table.columns.map((c, i) => sql`${values[i]}::${raw(c.type)}[]`);
      await this.tx.query(sql`INSERT INTO ${ident(table.name)} (resource_type, id, ${join(table.columns.map((c) => ident(c.name)))})
        SELECT * FROM unnest(${types}::text[], ${ids}::text[], ${join(arrays)})`);
    }
  }

  private conflict(): never {
    if (this.tx.kind === 'postgres') throw Object.assign(new Error('a buffered write met a concurrent change'), { code: '40001' });
    throw new FhirError(409, { severity: 'error', code: 'transient', diagnostics: 'The write conflicted with a concurrent change; retry the request' });
  }
}

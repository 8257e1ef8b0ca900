import type { IndexRows } from './index-tables';
import { SEARCH_INDEX_TABLES } from './index-tables';
import { indexStatements } from './index-statements';
import { join, prepared, sql, type Sql } from './sql';

/**
 * Statements of a reindex: walking the current resources of some types in (resource_type, id)
 * order, and rewriting one resource's search index rows without writing a new version.
 */

/** Where a scan stands: the last resource it returned. */
export interface ScanPosition {
  type: string;
  id: string;
}

export interface ScanQuery {
  types: readonly string[];
  /** Start strictly after this resource. */
  after?: ScanPosition;
  /** Only resources whose current version was written at or after this instant. */
  since?: string;
  limit: number;
}

/** One resource whose index rows are to be replaced, if `versionId` is still its current version. */
export interface IndexRewrite {
  resourceType: string;
  id: string;
  versionId: number;
  index: IndexRows;
}

function conditions(q: Omit<ScanQuery, 'after' | 'limit'>): Sql[] {
  const list = [sql`r.resource_type = ANY(${[...q.types]}::text[])`, sql`NOT r.deleted`];
  if (q.since !== undefined) list.push(sql`r.last_updated >= ${q.since}::timestamptz`);
  return list;
}

/** The next `limit` current, non-deleted resources of the scan, in (resource_type, id) order. */
export function scanSql(q: ScanQuery): Sql {
  const where = conditions(q);
  if (q.after) where.push(sql`(r.resource_type, r.id) > (${q.after.type}::text, ${q.after.id}::text)`);
  return sql`SELECT r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, r.content FROM resources r
    WHERE ${join(where, ' AND ')} ORDER BY r.resource_type, r.id LIMIT ${q.limit}`;
}

/** How many resources a whole scan visits. */
export function scanCountSql(q: Omit<ScanQuery, 'after' | 'limit'>): Sql {
  return sql`SELECT count(*) AS total FROM resources r WHERE ${join(conditions(q), ' AND ')}`;
}

/**
 * Replaces the search index rows of one resource when its current version is still
 * `versionId`; the row is locked first, so a concurrent write either finishes before (and the
 * version no longer matches: nothing is written) or waits. Returns one row `n` (1: rewritten).
 */
export function rewriteIndexSql(r: IndexRewrite): Sql {
  return prepared(sql`WITH cur AS (
      SELECT 1 FROM resources WHERE resource_type = ${r.resourceType} AND id = ${r.id}
        AND version_id = ${r.versionId}::integer AND NOT deleted FOR UPDATE
    )${indexStatements(r.resourceType, r.id, r.index, true, SEARCH_INDEX_TABLES)}
    SELECT count(*)::integer AS n FROM cur`);
}

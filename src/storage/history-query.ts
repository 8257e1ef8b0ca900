import { errors } from '../core/errors';
import type { HistoryQuery } from './repository';
import { join, sql, type Sql } from './sql';

/**
 * SQL for the history interaction over `resource_history h`, at instance, type or system
 * level. Pages are keyset-paged on seq, newest first: a cursor carries the seq of the last
 * entry served, and the next page is everything older, so versions written between requests
 * (which get higher seq values) never shift a later page.
 */

const COLUMNS = sql`h.seq, h.resource_type, h.id, h.version_id, h.last_updated, h.deleted, h.content`;

/** The page of at most `count` + 1 rows (the extra row tells whether another page exists). */
export function historyPageSql(q: HistoryQuery): Sql {
  const conditions = historyConditions(q);
  if (q.cursor !== undefined) conditions.push(sql`h.seq < ${decodeHistoryCursor(q.cursor)}`);
  return sql`SELECT ${COLUMNS} FROM resource_history h WHERE ${join(conditions, ' AND ')}
    ORDER BY h.seq DESC LIMIT ${q.count + 1}`;
}

/** The number of versions matching the query, ignoring paging. */
export function historyTotalSql(q: HistoryQuery): Sql {
  return sql`SELECT count(*) AS total FROM resource_history h WHERE ${join(historyConditions(q), ' AND ')}`;
}

function historyConditions(q: HistoryQuery): Sql[] {
  if (q.id !== undefined && q.resourceType === undefined) {
    throw new Error('history: an id needs a resourceType');
  }
  const conditions: Sql[] = [sql`true`];
  if (q.resourceType !== undefined) conditions.push(sql`h.resource_type = ${q.resourceType}`);
  if (q.id !== undefined) conditions.push(sql`h.id = ${q.id}`);
  if (q.since !== undefined) conditions.push(sql`h.last_updated >= ${instant(q.since, '_since')}::timestamptz`);
  if (q.at !== undefined) {
    const at = instant(q.at, '_at');
    // Versions current at some point of [at, atEnd): written before the period ends and not
    // superseded by its start. Without atEnd, the period is the instant `at` itself.
    const written = q.atEnd !== undefined ? sql`h.last_updated < ${instant(q.atEnd, '_at')}::timestamptz` : sql`h.last_updated <= ${at}::timestamptz`;
    conditions.push(sql`${written} AND NOT EXISTS (
      SELECT 1 FROM resource_history n
      WHERE n.resource_type = h.resource_type AND n.id = h.id
        AND n.version_id > h.version_id AND n.last_updated <= ${at}::timestamptz)`);
  }
  return conditions;
}

/** Normalizes a FHIR instant to UTC ISO form so the session time zone never matters. */
function instant(value: string, name: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw errors.badRequest(`Invalid ${name} instant: ${value}`);
  return new Date(ms).toISOString();
}

const CURSOR_PREFIX = 'h1:';

/** An opaque cursor naming the last seq served. */
export function encodeHistoryCursor(seq: number): string {
  return Buffer.from(CURSOR_PREFIX + seq, 'utf8').toString('base64url');
}

export function decodeHistoryCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const seq = text.startsWith(CURSOR_PREFIX) ? Number(text.slice(CURSOR_PREFIX.length)) : NaN;
  if (!Number.isSafeInteger(seq) || seq < 0) throw errors.badRequest('Invalid history page cursor');
  return seq;
}

import { join, raw, sql, type Sql } from '../../storage/sql';
import { AliasCounter, SEARCHED_ROW } from './context';
import { after, decodeCursor, orderBy, orderColumns, type Cursor } from './cursor';
import { criteriaPredicate } from './predicate';
import { sortColumns, sortSignature, type SortColumn } from './sort';
import type { SearchRequest } from './types';
import { resourceTypes } from '../../fhir/resource-types';

/**
 * A SearchRequest as SQL over `resources r` (current versions): the page statement (one row
 * more than the page size, to tell whether another page follows), and the count / estimate
 * statements for _total. Every value is bound; names come from the registry and constants.
 */

export interface SearchPlan {
  /** Selects the page: the columns of `r` plus `sort_keys text[]`, in page order. */
  page: Sql;
  /** `SELECT count(*) AS total …` over every match. */
  count: Sql;
  /** The match query whose planner row estimate stands for `_total=estimate`. */
  estimate: Sql;
  /** The decoded cursor the page starts from, if any. */
  cursor?: Cursor;
  /** The sort the page is in (for the cursors of its links). */
  sort: SortColumn[];
  signature: string;
}

/** The WHERE clause of the match: types, not deleted, every criterion, and an optional scope. */
export function matchFilter(request: SearchRequest, scope?: Sql): Sql {
  const aliases = new AliasCounter();
  const parts: Sql[] = [];
  if (request.types.length === 1) parts.push(sql`r.resource_type = ${request.types[0]!}`);
  else if (request.types.length < resourceTypes().length) parts.push(sql`r.resource_type = ANY(${request.types}::text[])`);
  parts.push(sql`NOT r.deleted`);
  if (request.criteria.length > 0) parts.push(criteriaPredicate(request.criteria, SEARCHED_ROW, aliases));
  if (scope) parts.push(scope);
  return join(parts, ' AND ');
}

export function planSearch(request: SearchRequest, scope?: Sql): SearchPlan {
  const filter = matchFilter(request, scope);
  const sort = sortColumns(request.sort);
  const signature = sortSignature(request.sort);
  const cursor = request.cursor !== undefined ? decodeCursor(request.cursor, signature, sort.length) : undefined;
  const backward = cursor?.direction === 'previous';
  const cols = orderColumns(sort, backward);
  const keys = sort.map((s, i) => sql`${s.expr} AS ${raw(`k${i}`)}`);
  const keyList = sort.length === 0 ? sql`ARRAY[]::text[]` : sql`ARRAY[${join(sort.map((_, i) => raw(`q.k${i}::text`)))}]::text[]`;
  const position = cursor ? sql`WHERE ${after(cols, [...cursor.keys, cursor.type, cursor.id])}` : sql``;
  const page = sql`SELECT q.resource_type, q.id, q.version_id, q.last_updated, q.deleted, q.content, ${keyList} AS sort_keys
    FROM (SELECT r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, r.content${keys.length ? sql`, ${join(keys)}` : sql``}
      FROM resources r WHERE ${filter}) q
    ${position}
    ORDER BY ${orderBy(cols)}
    LIMIT ${request.count + 1}`;
  return {
    page,
    count: sql`SELECT count(*) AS total FROM resources r WHERE ${filter}`,
    estimate: sql`SELECT 1 FROM resources r WHERE ${filter}`,
    ...(cursor ? { cursor } : {}),
    sort,
    signature,
  };
}

import { errors } from '../../core/errors';
import { join, raw, sql, type Sql } from '../../storage/sql';
import type { SortColumn } from './sort';

/**
 * Keyset paging cursors: an opaque token holding the sort key values, resource type and id of
 * the row a page ends (next) or starts (previous) at. A page is the rows strictly after (before)
 * that position in the total order (sort keys, resource_type, id), so pages neither shift nor
 * repeat when resources are created or deleted between requests.
 */

export interface Cursor {
  direction: 'next' | 'previous';
  keys: (string | null)[];
  type: string;
  id: string;
  /** The sort the cursor belongs to (sortSignature). */
  sort: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.direction === 'next' ? 'n' : 'p', c.sort, c.type, c.id, c.keys])).toString('base64url');
}

export function decodeCursor(token: string, sort: string, keyCount: number): Cursor {
  try {
    const [d, s, type, id, keys] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if ((d === 'n' || d === 'p') && s === sort && typeof type === 'string' && typeof id === 'string' && Array.isArray(keys) && keys.length === keyCount && keys.every((k) => k === null || typeof k === 'string')) {
      return { direction: d === 'n' ? 'next' : 'previous', sort, type, id, keys: keys as (string | null)[] };
    }
  } catch {
    // fall through
  }
  throw errors.badRequest('Invalid or expired paging cursor (_page); start again from the first page');
}

interface OrderedColumn {
  expr: Sql;
  cast: string;
  descending: boolean;
  nullsLast: boolean;
}

/**
 * The columns of the total order over the page subquery `q`, reversed for a previous page; the
 * last two are the tie-breakers (resource_type, id), never NULL.
 */
export function orderColumns(sort: SortColumn[], backward: boolean): OrderedColumn[] {
  const cols: OrderedColumn[] = sort.map((s, i) => ({ expr: raw(`q.k${i}`), cast: s.cast, descending: s.descending, nullsLast: true }));
  cols.push({ expr: raw('q.resource_type'), cast: 'text', descending: false, nullsLast: true });
  cols.push({ expr: raw('q.id'), cast: 'text', descending: false, nullsLast: true });
  return backward ? cols.map((c) => ({ ...c, descending: !c.descending, nullsLast: !c.nullsLast })) : cols;
}

export function orderBy(cols: OrderedColumn[]): Sql {
  return join(cols.map((c) => sql`${c.expr} ${raw(c.descending ? 'DESC' : 'ASC')} ${raw(c.nullsLast ? 'NULLS LAST' : 'NULLS FIRST')}`));
}

/**
 * Rows strictly after `values` in the order of `cols` (NULL positions follow the NULLS rule).
 * The never-NULL tie-breakers at the end compare as one row value, `(resource_type, id) > ($1, $2)`,
 * which an index on (resource_type, id) serves directly.
 */
export function after(cols: OrderedColumn[], values: (string | null)[]): Sql {
  const ties = cols.slice(-2);
  const tieValues = values.slice(-2);
  const op = raw(ties[0]!.descending ? '<' : '>');
  let predicate: Sql = sql`(${ties[0]!.expr}, ${ties[1]!.expr}) ${op} (${tieValues[0] ?? ''}::text, ${tieValues[1] ?? ''}::text)`;
  const parts = cols.slice(0, -2).map((c, i) => {
    const v = values[i] ?? null;
    const cast = raw(c.cast);
    const beyond =
      v === null
        ? c.nullsLast
          ? raw('FALSE')
          : sql`${c.expr} IS NOT NULL`
        : c.nullsLast
          ? sql`(${c.expr} ${raw(c.descending ? '<' : '>')} ${v}::${cast} OR ${c.expr} IS NULL)`
          : sql`${c.expr} ${raw(c.descending ? '<' : '>')} ${v}::${cast}`;
    const equal = v === null ? sql`${c.expr} IS NULL` : sql`${c.expr} = ${v}::${cast}`;
    return { beyond, equal };
  });
  for (let i = parts.length - 1; i >= 0; i--) predicate = sql`(${parts[i]!.beyond} OR (${parts[i]!.equal} AND ${predicate}))`;
  return predicate;
}

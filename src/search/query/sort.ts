import { ident, raw, sql, type Sql } from '../../storage/sql';
import type { ColumnCast } from './columns';
import type { SortKey } from './types';
import { valueType } from './value-types';

/**
 * Sort keys (search.html#sort) as SQL expressions over the searched row `r`. A parameter with
 * several values sorts by its lowest value ascending and its highest descending; resources
 * without a value sort last either way. Ties break on (resource_type, id), which also makes the
 * order total, as keyset paging needs.
 */

export interface SortColumn {
  expr: Sql;
  cast: ColumnCast;
  descending: boolean;
}

const COLUMN: Record<string, { column: string; cast: ColumnCast }> = {
  string: { column: 'value', cast: 'text' },
  token: { column: 'value', cast: 'text' },
  uri: { column: 'value', cast: 'text' },
  number: { column: 'value', cast: 'numeric' },
  quantity: { column: 'value', cast: 'numeric' },
};

export function sortColumns(keys: SortKey[]): SortColumn[] {
  return keys.map((key) => {
    if (key.code === '_id') return { expr: sql`r.id`, cast: 'text', descending: key.descending };
    if (key.code === '_lastUpdated') return { expr: sql`r.last_updated`, cast: 'timestamptz', descending: key.descending };
    const type = key.param!.type;
    const table = ident(valueType(type)!.table);
    const agg = raw(key.descending ? 'max' : 'min');
    let value: Sql;
    let cast: ColumnCast;
    if (type === 'date') {
      value = key.descending ? sql`s.high` : sql`s.low`;
      cast = 'timestamptz';
    } else if (type === 'reference') {
      value = sql`coalesce(s.target_type || '/' || s.target_id, s.target_url)`;
      cast = 'text';
    } else {
      value = sql`s.${ident(COLUMN[type]!.column)}`;
      cast = COLUMN[type]!.cast;
    }
    const expr = sql`(SELECT ${agg}(${value}) FROM ${table} s WHERE s.resource_type = r.resource_type AND s.id = r.id AND s.code = ${key.code})`;
    return { expr, cast, descending: key.descending };
  });
}

/** The `_sort` value the keys came from, e.g. `-date,name` (ties cursors to their sort). */
export function sortSignature(keys: SortKey[]): string {
  return keys.map((k) => (k.descending ? '-' : '') + k.code).join(',');
}

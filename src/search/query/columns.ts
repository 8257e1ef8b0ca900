import { ident, raw, sql, type Sql } from '../../storage/sql';

/** SQL types of index columns as conditions compare them. */
export type ColumnCast = 'text' | 'numeric' | 'timestamptz';

/**
 * How a condition reaches the columns of one index value: the columns of an index-table row, or
 * the fields of one component object inside idx_composite.components (../extract/composite.ts).
 */
export type Columns = (name: string, cast?: ColumnCast) => Sql;

/** Columns of the index-table row aliased `alias`. */
export function rowColumns(alias: Sql): Columns {
  return (name) => sql`${alias}.${ident(name)}`;
}

/** Component fields named differently from their table's columns (reference components). */
const FIELD: Record<string, string> = { target_type: 'type', target_id: 'id', target_url: 'url', target_version: 'version' };

/** Fields of component `index` of the idx_composite row aliased `alias`, cast to the column type. */
export function componentColumns(alias: Sql, index: number): Columns {
  return (name, cast = 'text') => {
    const field = (FIELD[name] ?? name).replace(/[^a-z_]/g, '');
    return sql`(${alias}.components->${raw(String(index))}->>${raw(`'${field}'`)})::${raw(cast)}`;
  };
}

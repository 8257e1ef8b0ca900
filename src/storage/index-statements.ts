import { INDEX_TABLES, type IndexRows, type IndexTable } from './index-tables';
import { ident, join, raw, sql, type Sql } from './sql';

/**
 * CTEs that replace a resource's rows in `tables` (every index table by default), only when the
 * statement's `cur` CTE has a row. Each CTE comes with its leading comma, to follow another CTE.
 * Only the work needed is written: DELETEs only when the resource may have rows already
 * (`existed`), INSERTs only for tables with new rows. The text depends on which tables those
 * are, so the prepared statements stay few.
 */
export function indexStatements(resourceType: string, id: string, rows: IndexRows, existed: boolean, tables: readonly IndexTable[] = INDEX_TABLES): Sql {
  const ctes: Sql[] = [];
  tables.forEach((t, i) => {
    const n = raw(String(i));
    if (existed) {
      ctes.push(sql`, d${n} AS (DELETE FROM ${ident(t.name)} WHERE EXISTS (SELECT 1 FROM cur)
          AND resource_type = ${resourceType} AND id = ${id})`);
    }
    const tableRows = rows[t.name] ?? [];
    if (tableRows.length === 0) return;
    const arrays = t.columns.map((c, ci) => sql`${tableRows.map((r) => r[ci] ?? null)}::${raw(c.type)}[]`);
    ctes.push(sql`, i${n} AS (INSERT INTO ${ident(t.name)} (resource_type, id, ${join(t.columns.map((c) => ident(c.name)))})
          SELECT ${resourceType}, ${id}, u.* FROM unnest(${join(arrays)}) AS u WHERE EXISTS (SELECT 1 FROM cur))`);
  });
  return join(ctes, '');
}

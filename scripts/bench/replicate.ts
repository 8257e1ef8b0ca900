import { Client } from 'pg';
import { INDEX_TABLES } from '../../src/storage/index-tables';

/**
 * Grows a loaded database for search benchmarks: `copies` more copies of every current resource
 * and its search index rows, with ids suffixed `-c<n>` and local references inside each copy
 * pointing at the copy (so compartments, chains and _has stay realistic). History is not copied.
 */
export async function replicate(databaseUrl: string, copies: number): Promise<number> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query('SET synchronous_commit = off');
    for (let n = 1; n <= copies; n++) {
      const suffix = `-c${n}`;
      await c.query('BEGIN');
      await c.query(
        `INSERT INTO resources (resource_type, id, version_id, last_updated, deleted, content)
         SELECT resource_type, id || $1, version_id, last_updated, deleted, content FROM resources WHERE id NOT LIKE '%-c%'`,
        [suffix],
      );
      for (const t of INDEX_TABLES) {
        if (t.name === 'resource_references') continue;
        const cols = t.columns.map((col) => col.name);
        const select = cols.map((col) => (t.name === 'idx_reference' && col === 'target_id' ? `CASE WHEN target_type IS NULL THEN target_id ELSE target_id || $1 END` : col));
        await c.query(
          `INSERT INTO ${t.name} (resource_type, id, ${cols.join(', ')})
           SELECT resource_type, id || $1, ${select.join(', ')} FROM ${t.name} WHERE id NOT LIKE '%-c%'`,
          [suffix],
        );
      }
      await c.query('COMMIT');
    }
    await c.query('ANALYZE');
    const { rows } = await c.query<{ n: string }>('SELECT count(*) AS n FROM resources');
    return Number(rows[0]!.n);
  } finally {
    await c.end();
  }
}

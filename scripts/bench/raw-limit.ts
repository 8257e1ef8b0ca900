import { Client } from 'pg';

/**
 * The raw PostgreSQL limit for storing the same JSON: multi-row INSERTs of resources into a bare
 * JSONB table, no validation, no versions, no indexes. Every ingest figure is read as a ratio of it.
 */
export async function rawInsertRate(databaseUrl: string, resources: string[], rowsPerInsert = 500): Promise<number> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query('CREATE TABLE raw_limit (id text, content jsonb)');
    const started = performance.now();
    for (let i = 0; i < resources.length; i += rowsPerInsert) {
      const chunk = resources.slice(i, i + rowsPerInsert);
      const params: string[] = [];
      const values = chunk.map((json, j) => {
        params.push(String(i + j), json);
        return `($${2 * j + 1}, $${2 * j + 2}::jsonb)`;
      });
      await c.query(`INSERT INTO raw_limit (id, content) VALUES ${values.join(',')}`, params);
    }
    const secs = (performance.now() - started) / 1000;
    await c.query('DROP TABLE raw_limit');
    return resources.length / secs;
  } finally {
    await c.end();
  }
}

import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Logger } from '../core/logger';
import { openStorage } from './open';
import { createPgDriver } from './pg-driver';
import { sql } from './sql';

describe('openStorage', () => {
  const lines: string[] = [];
  const logger: Logger = createLogger('info', {}, (line) => lines.push(line));

  it('persists an embedded database under the data directory', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hearth-open-'));
    try {
      const first = await openStorage({ dataDir: join(dataDir, 'nested'), logger });
      expect(first.driver.kind).to.equal('pglite');
      const stored = await first.repository.write({ resourceType: 'Patient', id: 'kept', content: { resourceType: 'Patient' } });
      await first.close();
      expect(lines.some((l) => l.includes('migration applied'))).to.equal(true);

      const second = await openStorage({ dataDir: join(dataDir, 'nested'), logger });
      expect(await second.repository.readCurrent('Patient', 'kept')).to.deep.equal(stored);
      const rows = await second.driver.query<{ n: number }>(sql`SELECT count(*) AS n FROM schema_migrations`);
      expect(rows[0]!.n).to.be.greaterThan(0);
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  const adminUrl = process.env['TEST_DATABASE_URL'];
  if (adminUrl) it('uses PostgreSQL when a database URL is given', async () => {
    const admin = createPgDriver({ connectionString: adminUrl!, poolSize: 1 });
    const name = `hearth_test_open_${process.pid}`;
    await admin.exec(`DROP DATABASE IF EXISTS ${name}`);
    await admin.exec(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(adminUrl!);
      url.pathname = `/${name}`;
      const storage = await openStorage({ databaseUrl: url.toString(), dataDir: '/nonexistent', logger });
      expect(storage.driver.kind).to.equal('postgres');
      expect(lines.some((l) => l.includes('postgresql') && !l.includes('password'))).to.equal(true);
      const stored = await storage.repository.write({ resourceType: 'Patient', id: 'pg', content: { resourceType: 'Patient' } });
      expect(await storage.repository.readCurrent('Patient', 'pg')).to.deep.equal(stored);
      await storage.close();
    } finally {
      await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    }
  });
});

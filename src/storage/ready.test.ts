import { expect } from 'chai';
import { silentLogger } from '../core/logger';
import { MEMORY, openStorage } from './open';
import { sql } from './sql';

describe('storage readiness', () => {
  it('is ready once migrated, not ready with a migration missing or the database closed', async () => {
    const storage = await openStorage({ dataDir: MEMORY, logger: silentLogger });
    await storage.ready();
    await storage.driver.query(sql`DELETE FROM schema_migrations WHERE version = ${3}`);
    let reason = '';
    await storage.ready().catch((e: Error) => (reason = e.message));
    expect(reason).to.contain('migrations not applied: 3');
    await storage.close();
    let closed = false;
    await storage.ready().catch(() => (closed = true));
    expect(closed).to.equal(true);
  });
});

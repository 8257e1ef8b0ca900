import { randomBytes } from 'node:crypto';
import type { SqlDriver } from './driver';
import { migrate } from './migrate';
import { createPgDriver } from './pg-driver';
import { createPgliteDriver } from './pglite-driver';
import type { Repository } from './repository';
import { ident } from './sql';
import { SqlRepository } from './sql-repository';

export interface DatabaseContext {
  /** The migrated database of the enclosing describe (available from `before` on). */
  driver(): SqlDriver;
  /** A SqlRepository over driver(). */
  repository(): Repository;
}

/**
 * Declares the tests in `body` once per database: a `describe('<title> [pglite]')` on a fresh
 * in-memory PGlite, and, when TEST_DATABASE_URL is set, a `describe('<title> [postgres]')` on a
 * freshly created database hearth_test_<random> that is dropped afterwards. Migrations are
 * applied in `before`; every describe gets its own empty database.
 */
export function forEachDatabase(title: string, body: (ctx: DatabaseContext) => void): void {
  declare(`${title} [pglite]`, body, async () => {
    const driver = await createPgliteDriver();
    return { driver, dispose: () => driver.close() };
  });
  const adminUrl = process.env['TEST_DATABASE_URL'];
  if (adminUrl) declare(`${title} [postgres]`, body, () => freshPostgres(adminUrl));
}

interface Opened {
  driver: SqlDriver;
  dispose(): Promise<void>;
}

function declare(title: string, body: (ctx: DatabaseContext) => void, open: () => Promise<Opened>): void {
  describe(title, function () {
    let opened: Opened | undefined;
    let repository: Repository | undefined;
    before(async function () {
      opened = await open();
      await migrate(opened.driver);
      repository = new SqlRepository(opened.driver);
    });
    after(async function () {
      await opened?.dispose();
    });
    body({
      driver: () => opened?.driver ?? notReady(),
      repository: () => repository ?? notReady(),
    });
  });
}

async function freshPostgres(adminUrl: string): Promise<Opened> {
  const name = `hearth_test_${randomBytes(6).toString('hex')}`;
  const admin = createPgDriver({ connectionString: adminUrl, poolSize: 1 });
  try {
    await admin.exec(`CREATE DATABASE ${ident(name).text}`);
  } catch (err) {
    await admin.close();
    throw err;
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const driver = createPgDriver({ connectionString: url.toString(), poolSize: 10 });
  return {
    driver,
    async dispose() {
      try {
        await driver.close();
        await admin.exec(`DROP DATABASE IF EXISTS ${ident(name).text} WITH (FORCE)`);
      } finally {
        await admin.close();
      }
    },
  };
}

function notReady(): never {
  throw new Error('forEachDatabase: the database is only available from the before hook on');
}

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../core/logger';
import type { SqlDriver } from './driver';
import { migrate, pendingMigrations } from './migrate';
import { createPgDriver } from './pg-driver';
import { createPgliteDriver } from './pglite-driver';
import type { Repository } from './repository';
import { SqlRepository } from './sql-repository';

/** The data directory value that keeps the embedded database in memory (tests). */
export const MEMORY = 'memory://';

export interface StorageOptions {
  /** PostgreSQL connection URL; when unset, embedded PGlite is used. */
  databaseUrl?: string;
  /** Hearth's data directory; PGlite keeps its files in `<dataDir>/pglite`. `memory://` keeps nothing on disk. */
  dataDir: string;
  logger: Logger;
  /** Maximum PostgreSQL connections (default 10). */
  poolSize?: number;
}

export interface Storage {
  driver: SqlDriver;
  repository: Repository;
  /** Resolves when the database answers and every migration is applied; rejects with the reason otherwise. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Opens the configured database and brings its schema up to date. */
export async function openStorage(options: StorageOptions): Promise<Storage> {
  const { logger } = options;
  let driver: SqlDriver;
  if (options.databaseUrl) {
    driver = createPgDriver({ connectionString: options.databaseUrl, poolSize: options.poolSize, logger });
    logger.info('storage: postgresql', { host: safeHost(options.databaseUrl) });
  } else if (options.dataDir === MEMORY) {
    driver = await createPgliteDriver({});
    logger.info('storage: embedded pglite in memory');
  } else {
    const dir = join(options.dataDir, 'pglite');
    await mkdir(dir, { recursive: true });
    driver = await createPgliteDriver({ dataDir: dir });
    logger.info('storage: embedded pglite', { dir });
  }
  try {
    await migrate(driver, logger);
  } catch (err) {
    await driver.close();
    throw err;
  }
  return {
    driver,
    repository: new SqlRepository(driver),
    async ready() {
      const pending = await pendingMigrations(driver);
      if (pending.length > 0) throw new Error(`migrations not applied: ${pending.join(', ')}`);
    },
    close: () => driver.close(),
  };
}

/** Host and database of a connection URL, never its credentials. */
function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'unparsable url';
  }
}

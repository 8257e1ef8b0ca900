import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../core/logger';
import type { SqlDriver } from './driver';
import { migrate, pendingMigrations } from './migrate';
import { createPgDriver } from './pg-driver';
import { createPgliteDriver } from './pglite-driver';
import { openReadReplica, type ReadReplica } from './read-replica';
import type { ReplicaStatus } from './replica-monitor';
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
  /** Maximum PostgreSQL connections (default 10), per pool. */
  poolSize?: number;
  /** PostgreSQL URL of a streaming standby of databaseUrl that may serve reads. */
  readDatabaseUrl?: string;
  /** Reads go to the replica only while it is at most this far behind, in ms (default 1000). */
  readMaxLagMs?: number;
}

/** What a ready storage reports: the read replica's state, when one is configured. */
export interface StorageReadiness {
  replica?: ReplicaStatus;
}

export interface Storage {
  /** The primary database. */
  driver: SqlDriver;
  /** The repository for interactions: with a read replica, reads outside transactions may go there. */
  repository: Repository;
  /** The repository on the primary alone (the reindex machinery, which must see its own writes). */
  primaryRepository: Repository;
  /** Set with a read replica: the consistency token of the writes committed so far. */
  consistencyToken?: () => Promise<string>;
  /**
   * Resolves when the primary answers and every migration is applied (with the replica's state,
   * which never makes it fail); rejects with the reason otherwise.
   */
  ready(): Promise<StorageReadiness>;
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
  const primaryRepository = new SqlRepository(driver);
  let replica: ReadReplica | undefined;
  if (options.databaseUrl && options.readDatabaseUrl) {
    const maxLagMs = options.readMaxLagMs ?? 1000;
    replica = openReadReplica({ primary: driver, primaryUrl: options.databaseUrl, primaryRepository, url: options.readDatabaseUrl, maxLagMs, poolSize: options.poolSize, logger });
    logger.info('storage: postgresql read replica', { host: safeHost(options.readDatabaseUrl), maxLagMs });
  }
  return {
    driver,
    repository: replica?.repository ?? primaryRepository,
    primaryRepository,
    ...(replica ? { consistencyToken: replica.token } : {}),
    async ready() {
      const pending = await pendingMigrations(driver);
      if (pending.length > 0) throw new Error(`migrations not applied: ${pending.join(', ')}`);
      return replica ? { replica: await replica.status() } : {};
    },
    async close() {
      try {
        await replica?.close();
      } finally {
        await driver.close();
      }
    },
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

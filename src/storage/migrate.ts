import type { Logger } from '../core/logger';
import type { SqlDriver } from './driver';
import { migrations as allMigrations, type Migration } from './migrations/index';
import { sql } from './sql';

/** Key of the advisory lock serializing migrations across server processes. */
const MIGRATION_LOCK_KEY = 7_301_964_101;

const lock = sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY}::bigint)`;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer     PRIMARY KEY,
  name       text        NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/**
 * Applies pending migrations in version order. Each runs in its own transaction holding a
 * transaction-scoped advisory lock, re-checks under that lock whether another process applied
 * it meanwhile, and is recorded in schema_migrations. Returns the versions applied now.
 */
export async function migrate(
  driver: SqlDriver,
  logger?: Logger,
  migrations: readonly Migration[] = allMigrations,
): Promise<number[]> {
  assertOrdered(migrations);
  const known = await driver.transaction(async (tx) => {
    await tx.query(lock);
    await tx.exec(CREATE_TABLE);
    return appliedVersions(tx);
  });

  const newest = migrations[migrations.length - 1]?.version ?? 0;
  const unknown = [...known].filter((v) => v > newest);
  if (unknown.length > 0) {
    logger?.warn('database has migrations newer than this server', { versions: unknown.sort((a, b) => a - b) });
  }

  const applied: number[] = [];
  for (const m of migrations) {
    if (known.has(m.version)) continue;
    const ran = await driver.transaction(async (tx) => {
      await tx.query(lock);
      if ((await appliedVersions(tx)).has(m.version)) return false;
      const started = Date.now();
      await tx.exec(m.up);
      await tx.query(sql`INSERT INTO schema_migrations (version, name) VALUES (${m.version}, ${m.name})`);
      logger?.info('migration applied', { version: m.version, name: m.name, ms: Date.now() - started });
      return true;
    });
    if (ran) applied.push(m.version);
  }
  return applied;
}

async function appliedVersions(tx: SqlDriver): Promise<Set<number>> {
  const rows = await tx.query<{ version: number }>(sql`SELECT version FROM schema_migrations`);
  return new Set(rows.map((r) => r.version));
}

function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    const previous = i > 0 ? migrations[i - 1]!.version : 0;
    if (!Number.isInteger(m.version) || m.version <= previous) {
      throw new Error(`migrations must have strictly increasing integer versions (at ${m.name})`);
    }
  });
}

/** Versions of the code's migrations that the database has not applied (empty when up to date). */
export async function pendingMigrations(driver: SqlDriver, list: readonly Migration[] = allMigrations): Promise<number[]> {
  const applied = await appliedVersions(driver);
  return list.filter((m) => !applied.has(m.version)).map((m) => m.version);
}

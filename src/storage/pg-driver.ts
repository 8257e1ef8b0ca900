import { createHash } from 'node:crypto';
import { Pool, types as pgTypes, type CustomTypesConfig, type PoolClient, type QueryConfig } from 'pg';
import { FhirError } from '../core/errors';
import type { Logger } from '../core/logger';
import { transactionEnded, type SqlDriver } from './driver';
import { Mutex } from './mutex';
import type { Sql } from './sql';
import { typeParsers } from './type-parsers';

export interface PgDriverOptions {
  /** postgres://user:password@host:port/database */
  connectionString: string;
  /** Maximum pooled connections (default 10). */
  poolSize?: number;
  logger?: Logger;
  /** Give up connecting after this many ms (default: pg's, no limit). */
  connectTimeoutMs?: number;
  /** application_name of the connections (default hearth). */
  applicationName?: string;
}

// Per-pool type parsers (pg's global registry is left untouched).
const customTypes: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    const own = format !== 'binary' ? typeParsers[oid] : undefined;
    return own ?? pgTypes.getTypeParser(oid, format as 'text');
  }) as CustomTypesConfig['getTypeParser'],
};

/**
 * The pg query for a statement; one flagged `prepare` gets a name derived from its text, so pg
 * prepares it once per connection (equal names always mean equal text).
 */
function toQueryConfig(q: Sql): QueryConfig {
  const text = q.text;
  if (!q.prepare) return { text, values: q.values };
  return { name: 'h_' + createHash('sha1').update(text).digest('base64url'), text, values: q.values };
}

/** Deadlocks (40P01) and serialization failures (40001) are retried: the whole transaction runs again. */
const TRANSIENT_RETRIES = 4;

function isTransientConflict(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === '40P01' || code === '40001';
}

/** A SqlDriver over a node-postgres connection pool. */
export function createPgDriver(options: PgDriverOptions): SqlDriver {
  const pool = new Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    types: customTypes,
    application_name: options.applicationName ?? 'hearth',
    ...(options.connectTimeoutMs !== undefined ? { connectionTimeoutMillis: options.connectTimeoutMs } : {}),
  });
  // An idle client losing its connection must not crash the process.
  pool.on('error', (err) => options.logger?.warn('postgres idle client error', { error: err.message }));

  return {
    kind: 'postgres',
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async query<T>(q: Sql): Promise<T[]> {
      const result = await pool.query(toQueryConfig(q));
      return result.rows as T[];
    },
    async exec(script: string): Promise<void> {
      await pool.query(script);
    },
    async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await runTransaction(fn);
        } catch (err) {
          if (!isTransientConflict(err)) throw err;
          if (attempt >= TRANSIENT_RETRIES) {
            throw new FhirError(409, { severity: 'error', code: 'transient', diagnostics: 'The write conflicted with concurrent writes; retry the request' });
          }
          options.logger?.debug('retrying transaction after a transient conflict', { code: (err as { code?: string }).code, attempt });
        }
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };

  async function runTransaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    const handle = txHandle(client);
    try {
      await client.query('BEGIN');
      const result = await fn(handle.driver);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError as Error;
      }
      throw err;
    } finally {
      handle.end();
      // A client whose rollback failed is in an unknown state: destroy it instead of reusing.
      client.release(broken);
    }
  }
}

/**
 * A driver bound to one pooled client inside an open transaction. Concurrent calls on the
 * handle (e.g. Promise.all) are queued, as one connection runs one statement at a time.
 */
function txHandle(client: PoolClient): { driver: SqlDriver; end(): void } {
  let open = true;
  const queue = new Mutex();
  const driver: SqlDriver = {
    kind: 'postgres',
    query<T>(q: Sql): Promise<T[]> {
      return queue.run(async () => {
        if (!open) throw transactionEnded();
        return (await client.query(toQueryConfig(q))).rows as T[];
      });
    },
    exec(script: string): Promise<void> {
      return queue.run(async () => {
        if (!open) throw transactionEnded();
        await client.query(script);
      });
    },
    transaction: (fn) => {
      if (!open) return Promise.reject(transactionEnded());
      return fn(driver);
    },
    close: () => Promise.reject(new Error('SqlDriver: close() called on a transaction handle')),
  };
  return { driver, end: () => void (open = false) };
}

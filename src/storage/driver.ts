import type { Sql } from './sql';

/**
 * The one way Hearth talks to a database: PostgreSQL through a `pg` pool, or embedded PGlite.
 * Both return rows with the same value types (see type-parsers.ts): timestamptz as ISO instant
 * strings with milliseconds, int8 as numbers, jsonb parsed.
 */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface SqlDriver {
  readonly kind: 'postgres' | 'pglite';
  /** Connection pool use, where there is a pool (PostgreSQL). */
  stats?(): PoolStats;
  /** Runs one statement with bound parameters and returns its rows. */
  query<T>(q: Sql): Promise<T[]>;
  /**
   * Runs a trusted script of one or more statements without parameters (simple-query
   * protocol). Only for constant SQL such as migrations, never for anything built from input.
   */
  exec(script: string): Promise<void>;
  /**
   * Runs fn in one transaction: commits when fn resolves, rolls back when it rejects. Called
   * on a transaction handle, it reuses that transaction (no savepoint). The handle must not
   * be used once fn has settled.
   */
  transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T>;
  /** Releases the pool / database. On a transaction handle it throws. */
  close(): Promise<void>;
}

/** Thrown when a transaction handle is used after its transaction has ended. */
export function transactionEnded(): Error {
  return new Error('SqlDriver: transaction handle used after the transaction ended');
}

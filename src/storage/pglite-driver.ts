import { PGlite, type Transaction } from '@electric-sql/pglite';
import { transactionEnded, type SqlDriver } from './driver';
import { Mutex } from './mutex';
import type { Sql } from './sql';
import { typeParsers } from './type-parsers';

export interface PgliteDriverOptions {
  /** Directory holding the database files; in-memory when omitted. */
  dataDir?: string;
}

/**
 * A SqlDriver over embedded PGlite (WASM PostgreSQL), persisted in dataDir or in memory.
 * PGlite is a single connection: a mutex makes every query and transaction wait its turn, so
 * while a transaction is open other callers queue behind it. Code inside a transaction must
 * use the transaction handle; calling the outer driver there would wait forever.
 */
export async function createPgliteDriver(options: PgliteDriverOptions = {}): Promise<SqlDriver> {
  const db = await PGlite.create(options.dataDir, { parsers: { ...typeParsers } });
  const mutex = new Mutex();
  let closed = false;

  const driver: SqlDriver = {
    kind: 'pglite',
    query<T>(q: Sql): Promise<T[]> {
      return mutex.run(async () => (await db.query<T>(q.text, q.values)).rows);
    },
    exec(script: string): Promise<void> {
      return mutex.run(async () => {
        await db.exec(script);
      });
    },
    transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
      return mutex.run(() =>
        db.transaction(async (tx) => {
          const handle = txHandle(tx);
          try {
            return await fn(handle.driver);
          } finally {
            handle.end();
          }
        }),
      );
    },
    close(): Promise<void> {
      return mutex.run(async () => {
        if (closed) return;
        closed = true;
        await db.close();
      });
    },
  };
  return driver;
}

/** A driver bound to an open PGlite transaction; its queries bypass the mutex it runs under. */
function txHandle(tx: Transaction): { driver: SqlDriver; end(): void } {
  let open = true;
  const driver: SqlDriver = {
    kind: 'pglite',
    async query<T>(q: Sql): Promise<T[]> {
      if (!open) throw transactionEnded();
      return (await tx.query<T>(q.text, q.values)).rows;
    },
    async exec(script: string): Promise<void> {
      if (!open) throw transactionEnded();
      await tx.exec(script);
    },
    transaction: (fn) => {
      if (!open) return Promise.reject(transactionEnded());
      return fn(driver);
    },
    close: () => Promise.reject(new Error('SqlDriver: close() called on a transaction handle')),
  };
  return { driver, end: () => void (open = false) };
}

import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Read-your-writes across a primary and a read replica. A consistency token is a PostgreSQL WAL
 * position (`pg_lsn` text, e.g. `0/3000148`) read on the primary after a request's writes have
 * committed; a replica that has replayed WAL up to it shows those writes. Clients treat the token
 * as opaque: they send back the latest one they were given.
 */

/** The request's consistency needs, carried through its async calls by `runInScope`. */
export interface ConsistencyScope {
  /**
   * The WAL position the request's reads must see: from the client's token. `'primary'`: the
   * token was malformed, so only the primary is certain to satisfy it.
   */
  required?: bigint | 'primary';
  /** Set once a write of this request has committed: its later reads go to the primary. */
  wrote: boolean;
}

const storage = new AsyncLocalStorage<ConsistencyScope>();

/** A scope for a request carrying `token` (undefined or empty: none). */
export function openScope(token: string | undefined): ConsistencyScope {
  if (token === undefined || token.trim() === '') return { wrote: false };
  return { required: parseLsn(token.trim()) ?? 'primary', wrote: false };
}

/** Runs fn with `scope` as the current scope of everything it awaits. */
export function runInScope<T>(scope: ConsistencyScope, fn: () => Promise<T>): Promise<T> {
  return storage.run(scope, fn);
}

/** The scope of the running request, if it opened one. */
export function currentScope(): ConsistencyScope | undefined {
  return storage.getStore();
}

/** Records a committed write in the current scope (if any). */
export function noteWrite(): void {
  const scope = storage.getStore();
  if (scope) scope.wrote = true;
}

const LSN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** A `pg_lsn` text (`hi/lo`, hexadecimal) as a 64-bit number; undefined when malformed. */
export function parseLsn(text: string): bigint | undefined {
  const m = LSN.exec(text);
  if (!m) return undefined;
  return (BigInt('0x' + m[1]!) << 32n) | BigInt('0x' + m[2]!);
}

/** The `pg_lsn` text of a 64-bit WAL position, as PostgreSQL prints it. */
export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

import type { Logger } from '../core/logger';
import { currentScope, noteWrite, type ConsistencyScope } from './consistency';
import type { ReindexJobs } from './reindex-jobs';
import type { ReplicaMonitor } from './replica-monitor';
import type { IndexRewrite, ScanQuery } from './reindex-sql';
import type { HistoryPage, HistoryQuery, Repository, SearchRow, StoredVersion, WriteInput } from './repository';
import type { Sql } from './sql';

/**
 * Where a read outside a transaction goes. The primary when the request has written (its later
 * reads must see that), when its consistency token is malformed, when the replica is unreachable
 * or behind by more than the lag bound, or when it has not yet replayed the token's WAL position.
 */
export async function chooseReadTarget(scope: ConsistencyScope | undefined, monitor: ReplicaMonitor): Promise<'primary' | 'replica'> {
  if (scope?.wrote || scope?.required === 'primary') return 'primary';
  if (!(await monitor.usable())) return 'primary';
  if (scope?.required !== undefined && !(await monitor.replayedUpTo(scope.required))) return 'primary';
  return 'replica';
}

/**
 * Errors after which a read is retried on the primary: the replica's connection failed or was
 * refused (a socket error such as ECONNREFUSED, pg's connection errors, SQLSTATE class 08, 53
 * too many connections, 57P admin shutdown / cannot connect now), or a standby cancelled the
 * query for a conflict with WAL replay (40001).
 */
export function isReplicaFailure(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true;
  if (typeof code !== 'string') return /connection|terminated|timeout/i.test(String((err as Error)?.message));
  return code.startsWith('08') || code.startsWith('53') || code.startsWith('57P') || code === '40001';
}

/**
 * A Repository over a primary and a read replica (the same schema, streamed). search, count,
 * readCurrent (without forUpdate), readVersion and history may go to the replica, chosen by
 * chooseReadTarget; everything else, and everything inside transaction(), runs on the primary.
 * Writes and transactions mark the request's consistency scope once they have committed.
 */
export class RoutingRepository implements Repository {
  constructor(
    private readonly primary: Repository,
    private readonly replica: Repository,
    private readonly monitor: ReplicaMonitor,
    private readonly logger?: Logger,
  ) {}

  get jobs(): ReindexJobs {
    return this.primary.jobs;
  }

  readCurrent(resourceType: string, id: string, options: { forUpdate?: boolean } = {}): Promise<StoredVersion | undefined> {
    if (options.forUpdate) return this.primary.readCurrent(resourceType, id, options);
    return this.route((repo) => repo.readCurrent(resourceType, id));
  }

  readVersion(resourceType: string, id: string, versionId: number): Promise<StoredVersion | undefined> {
    return this.route((repo) => repo.readVersion(resourceType, id, versionId));
  }

  history(query: HistoryQuery): Promise<HistoryPage> {
    return this.route((repo) => repo.history(query));
  }

  search(statement: Sql): Promise<SearchRow[]> {
    return this.route((repo) => repo.search(statement));
  }

  count(statement: Sql, mode: 'accurate' | 'estimate'): Promise<number> {
    return this.route((repo) => repo.count(statement, mode));
  }

  async write(input: WriteInput): Promise<StoredVersion> {
    const stored = await this.primary.write(input);
    noteWrite();
    return stored;
  }

  async transaction<T>(fn: (repo: Repository) => Promise<T>): Promise<T> {
    const result = await this.primary.transaction(fn);
    noteWrite();
    return result;
  }

  find(resourceType: string, where: Sql, limit: number): Promise<StoredVersion[]> {
    return this.primary.find(resourceType, where, limit);
  }

  missingTargets(targets: { type: string; id: string }[]): Promise<{ type: string; id: string }[]> {
    return this.primary.missingTargets(targets);
  }

  referrers(type: string, id: string, limit: number): Promise<{ type: string; id: string }[]> {
    return this.primary.referrers(type, id, limit);
  }

  prepareWrites(targets: { type: string; id: string }[]): Promise<void> {
    return this.primary.prepareWrites(targets);
  }

  lock(key: string): Promise<void> {
    return this.primary.lock(key);
  }

  afterCommit(fn: () => void): void {
    this.primary.afterCommit(fn);
  }

  scan(query: ScanQuery): Promise<StoredVersion[]> {
    return this.primary.scan(query);
  }

  countScan(query: Omit<ScanQuery, 'after' | 'limit'>): Promise<number> {
    return this.primary.countScan(query);
  }

  rewriteIndex(rewrites: IndexRewrite[]): Promise<number> {
    return this.primary.rewriteIndex(rewrites);
  }

  private async route<T>(read: (repo: Repository) => Promise<T>): Promise<T> {
    if ((await chooseReadTarget(currentScope(), this.monitor)) === 'primary') return read(this.primary);
    try {
      return await read(this.replica);
    } catch (err) {
      if (!isReplicaFailure(err)) throw err;
      this.monitor.markUnavailable(err);
      this.logger?.debug('replica read failed; retried on the primary', { code: (err as { code?: string }).code });
      return read(this.primary);
    }
  }
}

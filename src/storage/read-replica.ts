import type { Logger } from '../core/logger';
import type { SqlDriver } from './driver';
import { createPgDriver } from './pg-driver';
import { RoutingRepository } from './read-routing';
import { ReplicaMonitor, type ReplicaStatus } from './replica-monitor';
import type { Repository } from './repository';
import { sql } from './sql';
import { SqlRepository } from './sql-repository';

export interface ReadReplicaOptions {
  /** The primary's driver and repository (writes, transactions, and reads that cannot wait), and its URL. */
  primary: SqlDriver;
  primaryUrl: string;
  primaryRepository: Repository;
  /** postgres:// URL of a streaming standby of the primary (DATABASE_READ_URL). */
  url: string;
  maxLagMs: number;
  poolSize?: number;
  logger: Logger;
}

/** A read replica in use: the routed repository and what the server reports and hands out. */
export interface ReadReplica {
  /** Routes reads outside transactions to the replica when it is fresh enough (see read-routing.ts). */
  repository: Repository;
  /** The consistency token for the writes committed so far: the primary's current WAL position. */
  token(): Promise<string>;
  /** Probes the replica now. */
  status(): Promise<ReplicaStatus>;
  close(): Promise<void>;
}

/** How long a connection attempt to the replica may take before its reads go to the primary. */
const CONNECT_TIMEOUT_MS = 2000;

/**
 * Opens a pool to the replica. Nothing is checked at start: an unreachable or lagging replica
 * only sends reads to the primary until it is fit again.
 */
export function openReadReplica(options: ReadReplicaOptions): ReadReplica {
  const { logger } = options;
  const replica = (poolSize: number | undefined) =>
    createPgDriver({ connectionString: options.url, poolSize, logger, connectTimeoutMs: CONNECT_TIMEOUT_MS, applicationName: 'hearth-read' });
  const driver = replica(options.poolSize);
  // One connection to each server for the probes, so that they never wait behind busy pools.
  const replicaProbe = replica(1);
  const primaryProbe = createPgDriver({ connectionString: options.primaryUrl, poolSize: 1, logger, applicationName: 'hearth-probe' });
  const monitor = new ReplicaMonitor({ primary: primaryProbe, replica: replicaProbe, maxLagMs: options.maxLagMs, logger });
  return {
    repository: new RoutingRepository(options.primaryRepository, new SqlRepository(driver), monitor, logger),
    async token() {
      // pg_current_wal_lsn(), not the insert position: the latter may point past a page header that replay never reports.
      const [row] = await options.primary.query<{ lsn: string }>(sql`SELECT pg_current_wal_lsn()::text AS lsn`);
      return row!.lsn;
    },
    status: () => monitor.refresh(),
    async close() {
      await Promise.all([driver.close(), replicaProbe.close(), primaryProbe.close()]);
    },
  };
}

import type { Logger } from '../core/logger';
import { formatLsn, parseLsn } from './consistency';
import type { SqlDriver } from './driver';
import { sql } from './sql';

/** What the server last learned about its read replica. */
export interface ReplicaStatus {
  /**
   * `unknown`: not probed yet; `streaming`: reachable, a standby, within the lag bound;
   * `lagging`: reachable but behind by more than the bound; `unavailable`: unreachable, or not a standby.
   */
  state: 'unknown' | 'streaming' | 'lagging' | 'unavailable';
  /** At most how far behind the primary the replica was at the last probe, in ms (undefined: unknown). */
  lagMs?: number;
  /** The WAL position the replica had replayed at the last probe. */
  replayLsn?: string;
}

export interface ReplicaMonitorOptions {
  /** Connections for the probes (best kept apart from the pools that serve requests, so probes never queue behind them). */
  primary: SqlDriver;
  replica: SqlDriver;
  /** Reads go to the replica only while it lacks no commit older than this (HEARTH_READ_MAX_LAG_MS). */
  maxLagMs: number;
  logger?: Logger;
  /** Clock in epoch ms (default Date.now). */
  now?: () => number;
  /** How long a probe is trusted (default maxLagMs / 4, between 20 and 1000 ms). */
  refreshMs?: number;
  /** How long a read waits for a probe before going to the primary (default 500 ms). */
  probeTimeoutMs?: number;
}

/** A position the primary had committed up to, and when that was observed. */
interface Sample {
  at: number;
  lsn: bigint;
}

/** After a failed probe, how long until the next one (reads go to the primary meanwhile). */
const RETRY_UNAVAILABLE_MS = 1000;
const MAX_SAMPLES = 64;

/**
 * Tracks a streaming standby's health and lag by probing it on demand (never in the background
 * of an idle server). Lag is measured in WAL: each probe reads the primary's `pg_current_wal_lsn()`
 * and then the replica's `pg_last_wal_replay_lsn()`; a replica that has replayed past a position
 * the primary had reached at time t has every commit made before t, so its staleness is at most
 * now - t for the newest such sample. Clock skew between the hosts plays no part.
 */
export class ReplicaMonitor {
  private readonly now: () => number;
  private readonly refreshMs: number;
  private readonly probeTimeoutMs: number;
  private samples: Sample[] = [];
  private replay: bigint | undefined;
  private reachable: boolean | undefined;
  private checkedAt = -Infinity;
  private inflight: Promise<void> | undefined;
  private replayCheck: Promise<void> | undefined;

  constructor(private readonly options: ReplicaMonitorOptions) {
    this.now = options.now ?? Date.now;
    this.refreshMs = options.refreshMs ?? Math.min(1000, Math.max(20, Math.floor(options.maxLagMs / 4)));
    this.probeTimeoutMs = options.probeTimeoutMs ?? 500;
  }

  /** The status as of the last probe, aged to now; never waits. */
  status(): ReplicaStatus {
    if (this.reachable === undefined) return { state: 'unknown' };
    if (!this.reachable) return { state: 'unavailable' };
    const lagMs = this.lagMs();
    const replayLsn = this.replay === undefined ? undefined : formatLsn(this.replay);
    return { state: lagMs !== undefined && lagMs <= this.options.maxLagMs ? 'streaming' : 'lagging', lagMs, replayLsn };
  }

  /**
   * Whether reads may go to the replica now: it is reachable and within the lag bound. Probes
   * again when the last probe is stale, waiting at most probeTimeoutMs, and only when the replica
   * was usable before (an unavailable one is re-probed in the background).
   */
  async usable(): Promise<boolean> {
    const age = this.now() - this.checkedAt;
    const retryAfter = this.reachable === false ? RETRY_UNAVAILABLE_MS : this.refreshMs;
    if (age >= retryAfter) {
      const probe = this.probe();
      if (this.reachable !== false) await Promise.race([probe, delay(this.probeTimeoutMs)]);
    }
    return this.status().state === 'streaming';
  }

  /**
   * Whether the replica has replayed WAL up to `lsn`; asks it afresh when the last known position
   * is behind (concurrent callers share one such query).
   */
  async replayedUpTo(lsn: bigint): Promise<boolean> {
    if (this.replay !== undefined && this.replay >= lsn) return true;
    this.replayCheck ??= this.fetchReplay().finally(() => (this.replayCheck = undefined));
    await this.replayCheck;
    return this.replay !== undefined && this.replay >= lsn;
  }

  private async fetchReplay(): Promise<void> {
    try {
      const [row] = await this.options.replica.query<{ replay: string | null }>(sql`SELECT pg_last_wal_replay_lsn()::text AS replay`);
      this.replay = row?.replay ? parseLsn(row.replay) : undefined;
    } catch (err) {
      this.markUnavailable(err);
    }
  }

  /**
   * Records that the replica failed: reads go to the primary until a probe succeeds. Its replay
   * position is forgotten, as a restarted standby may come back at an earlier consistent point.
   */
  markUnavailable(err: unknown): void {
    if (this.reachable !== false) this.options.logger?.warn('read replica unavailable; reading from the primary', { error: (err as Error)?.message });
    this.reachable = false;
    this.replay = undefined;
    this.checkedAt = this.now();
  }

  /** Probes now (single flight), waiting for it at most waitMs, and returns the status then. */
  async refresh(waitMs = this.probeTimeoutMs): Promise<ReplicaStatus> {
    await Promise.race([this.probe(), delay(waitMs)]);
    return this.status();
  }

  private probe(): Promise<void> {
    this.inflight ??= this.runProbe().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async runProbe(): Promise<void> {
    const at = this.now();
    try {
      // The primary's position first: whatever the replica reports afterwards is compared to an earlier instant.
      const [primary] = await this.options.primary.query<{ lsn: string }>(sql`SELECT pg_current_wal_lsn()::text AS lsn`);
      const lsn = primary ? parseLsn(primary.lsn) : undefined;
      if (lsn !== undefined) this.addSample({ at, lsn });
    } catch {
      // The primary's own failures surface on the writes and reads that need it.
    }
    try {
      const [row] = await this.options.replica.query<{ standby: boolean; replay: string | null }>(
        sql`SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replay`,
      );
      if (!row?.standby) throw new Error('not a standby: pg_is_in_recovery() is false');
      this.replay = row.replay ? parseLsn(row.replay) : undefined;
      if (this.reachable === false) this.options.logger?.info('read replica available again');
      this.reachable = true;
      this.checkedAt = at;
    } catch (err) {
      this.markUnavailable(err);
    }
  }

  private addSample(sample: Sample): void {
    this.samples.push(sample);
    const horizon = sample.at - 2 * this.options.maxLagMs - this.refreshMs;
    while (this.samples.length > 1 && this.samples[0]!.at < horizon) this.samples.shift();
    // Past MAX_SAMPLES, every other sample of the older half goes: the window keeps its span, coarser.
    if (this.samples.length > MAX_SAMPLES) {
      const half = this.samples.length >> 1;
      this.samples = [...this.samples.slice(0, half).filter((_, i) => i % 2 === 0), ...this.samples.slice(half)];
    }
  }

  /** now - the newest sample the replica has replayed past; undefined when it has replayed none of them. */
  private lagMs(): number | undefined {
    if (this.replay === undefined) return undefined;
    for (let i = this.samples.length - 1; i >= 0; i--) {
      const s = this.samples[i]!;
      if (this.replay >= s.lsn) return Math.max(0, this.now() - s.at);
    }
    return undefined;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

import type { SqlDriver } from './driver';
import type { Sql } from './sql';

/**
 * A SqlDriver for tests of the replica monitor: answers the probe statements from settable
 * values (`lsn` for the primary; `standby` and `replay` for the replica), or fails with `error`.
 */
export interface FakeProbeDriver extends SqlDriver {
  lsn: string;
  standby: boolean;
  replay: string | null;
  error?: Error;
  /** Statements run so far. */
  calls: number;
}

export function fakeProbeDriver(initial: Partial<Pick<FakeProbeDriver, 'lsn' | 'standby' | 'replay'>> = {}): FakeProbeDriver {
  const driver: FakeProbeDriver = {
    kind: 'postgres',
    lsn: '0/0',
    standby: true,
    replay: '0/0',
    calls: 0,
    ...initial,
    async query<T>(q: Sql): Promise<T[]> {
      driver.calls++;
      if (driver.error) throw driver.error;
      if (q.text.includes('pg_current_wal_lsn')) return [{ lsn: driver.lsn } as T];
      if (q.text.includes('pg_is_in_recovery')) return [{ standby: driver.standby, replay: driver.replay } as T];
      if (q.text.includes('pg_last_wal_replay_lsn')) return [{ replay: driver.replay } as T];
      throw new Error(`fake probe driver: unexpected statement ${q.text}`);
    },
    exec: () => Promise.reject(new Error('fake probe driver: exec')),
    transaction: () => Promise.reject(new Error('fake probe driver: transaction')),
    close: async () => {},
  };
  return driver;
}

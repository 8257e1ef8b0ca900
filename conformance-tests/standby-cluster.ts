import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * A throwaway PostgreSQL primary and a streaming standby of it (pg_basebackup -R), in a temp
 * directory on free ports. When the tests run as root, the server binaries run as the `postgres`
 * user (PostgreSQL refuses root) and the directory is handed to it.
 */
export interface StandbyPair {
  primaryUrl: string;
  standbyUrl: string;
  /** Runs one statement on the primary or the standby and returns its rows. */
  query<T = Record<string, unknown>>(on: 'primary' | 'standby', text: string, values?: unknown[]): Promise<T[]>;
  stopStandby(): void;
  startStandby(): void;
  /** Stops both servers and removes the directory; safe to call at any stage, and more than once. */
  destroy(): void;
}

/** The directory holding initdb, pg_ctl, pg_basebackup and postgres. */
export function postgresBinDir(): string {
  const wanted = ['initdb', 'pg_ctl', 'pg_basebackup', 'postgres'];
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // pg_config is not on PATH; the Debian layout below may still have the binaries.
  }
  for (const v of ['17', '16', '15', '14', '13']) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  const dir = candidates.find((d) => wanted.every((b) => existsSync(join(d, b))));
  if (!dir) throw new Error(`no PostgreSQL server binaries (${wanted.join(', ')}) in ${candidates.join(', ')}`);
  return dir;
}

/** A TCP port on 127.0.0.1 that nothing listens on, from 55432 up. */
async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 55432 + Math.floor(Math.random() * 5000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port found for a throwaway PostgreSQL');
}

export async function startStandbyPair(): Promise<StandbyPair> {
  const bin = postgresBinDir();
  const root = process.getuid?.() === 0;
  const owner = root ? Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()) : undefined;
  const group = root ? Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()) : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'hearth-replica-'));
  if (owner !== undefined) chownSync(dir, owner, group!);
  const primaryDir = join(dir, 'primary');
  const standbyDir = join(dir, 'standby');
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  const started: string[] = [];

  const run = (program: string, args: string[]): void => {
    const [cmd, argv] = root ? ['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]] : [join(bin, program), args];
    const r = spawnSync(cmd, argv, { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`${program} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}${logTail()}`);
  };
  const logTail = (): string =>
    ['primary.log', 'standby.log']
      .filter((f) => existsSync(join(dir, f)))
      .map((f) => `\n--- ${f}\n${readFileSync(join(dir, f), 'utf8').split('\n').slice(-15).join('\n')}`)
      .join('');
  const start = (data: string, log: string): void => {
    run('pg_ctl', ['-D', data, '-l', join(dir, log), '-w', '-t', '60', 'start']);
    if (!started.includes(data)) started.push(data);
  };
  const stop = (data: string): void => {
    if (!started.includes(data)) return;
    run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    started.splice(started.indexOf(data), 1);
  };
  const url = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`;
  const pair: StandbyPair = {
    primaryUrl: url(primaryPort),
    standbyUrl: url(standbyPort),
    async query<T>(on: 'primary' | 'standby', text: string, values: unknown[] = []): Promise<T[]> {
      const c = new Client({ connectionString: on === 'primary' ? pair.primaryUrl : pair.standbyUrl });
      await c.connect();
      try {
        return (await c.query(text, values)).rows as T[];
      } finally {
        await c.end();
      }
    },
    stopStandby: () => stop(standbyDir),
    startStandby: () => start(standbyDir, 'standby.log'),
    destroy() {
      for (const data of [...started].reverse()) {
        try {
          run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
        } catch {
          // Already stopped; the directory goes either way.
        }
      }
      started.length = 0;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // A test run that exits without its after hook still stops the servers and removes the files.
  process.once('exit', () => pair.destroy());
  try {
    run('initdb', ['-D', primaryDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    appendFileSync(
      join(primaryDir, 'postgresql.conf'),
      [
        `port = ${primaryPort}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${dir}'`,
        'wal_level = replica',
        'max_wal_senders = 5',
        'max_connections = 60',
        'shared_buffers = 32MB',
        'fsync = off',
        '',
      ].join('\n'),
    );
    appendFileSync(join(primaryDir, 'pg_hba.conf'), 'host replication all 127.0.0.1/32 trust\n');
    start(primaryDir, 'primary.log');
    run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', standbyDir, '-R', '-X', 'stream', '-c', 'fast']);
    appendFileSync(join(standbyDir, 'postgresql.conf'), `port = ${standbyPort}\nhot_standby = on\n`);
    start(standbyDir, 'standby.log');
    await waitFor('the standby to stream from the primary', async () => {
      const [row] = await pair.query<{ recovery: boolean; status: string | null }>(
        'standby',
        'SELECT pg_is_in_recovery() AS recovery, (SELECT status FROM pg_stat_wal_receiver) AS status',
      );
      return row?.recovery === true && row.status === 'streaming';
    });
    return pair;
  } catch (err) {
    pair.destroy();
    throw err;
  }
}

/** Polls check every 100 ms until it answers true (errors count as false), or throws after timeoutMs. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

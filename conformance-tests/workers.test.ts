import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { adminQuery } from './harness';
import { ensureBuilt, freshRequest, startProcess, type ServerProcess } from './server-process';

/** HEARTH_WORKERS > 1: node:cluster workers sharing one port and one PostgreSQL database. */

const ADMIN_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';


function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const workerLogs = (p: ServerProcess) => p.logs.filter((l) => l.msg === 'worker listening');

describe('workers: HEARTH_WORKERS=2 on PostgreSQL', function () {
  const name = `hearth_workers_${randomBytes(5).toString('hex')}`;
  let server: ServerProcess | undefined;
  let url = '';

  before(async function () {
    ensureBuilt();
    await adminQuery(ADMIN_URL, `CREATE DATABASE ${name}`);
    server = startProcess({ HEARTH_WORKERS: '2', DATABASE_URL: databaseUrl(name), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', HEARTH_DB_POOL_SIZE: '4' });
    url = await server.listening(2);
    await until('both workers listening', () => workerLogs(server!).length >= 2);
  });

  after(async function () {
    await server?.stop();
    await adminQuery(ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('forks two worker processes that share one port, and applies each migration once', () => {
    const workers = workerLogs(server!);
    expect(new Set(workers.map((w) => w.pid)).size).to.equal(2);
    expect(workers.map((w) => w.pid)).not.to.include(server!.child.pid);
    expect(new Set(workers.map((w) => w.port)).size).to.equal(1);
    const applied = server!.logs.filter((l) => l.msg === 'migration applied').map((l) => l.version);
    expect(applied.length).to.be.greaterThan(0);
    expect(new Set(applied).size).to.equal(applied.length);
  });

  it('answers from both workers (X-Hearth-Worker) on new connections', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const r = await freshRequest('GET', `${url}/metadata`);
      expect(r.status).to.equal(200);
      seen.add(String(r.headers['x-hearth-worker']));
    }
    expect([...seen].sort()).to.have.length(2);
  });

  it('shares one database: a resource created through one worker is read back through all', async () => {
    const created = await freshRequest('POST', `${url}/Patient`, { resourceType: 'Patient', name: [{ family: 'Cluster' }] });
    expect(created.status).to.equal(201);
    const id = JSON.parse(created.text).id as string;
    const readers = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const r = await freshRequest('GET', `${url}/Patient/${id}`);
      expect(r.status, r.text).to.equal(200);
      expect(JSON.parse(r.text).name[0].family).to.equal('Cluster');
      readers.add(String(r.headers['x-hearth-worker']));
    }
    expect(readers.size).to.equal(2);
  });

  it('replaces a worker that dies', async () => {
    const victim = Number(workerLogs(server!)[0]!.pid);
    process.kill(victim, 'SIGKILL');
    await until('a replacement worker', () => workerLogs(server!).length >= 3, 60_000);
    const replacement = workerLogs(server!)[2]!;
    expect(replacement.pid).not.to.equal(victim);
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) seen.add(String((await freshRequest('GET', `${url}/metadata`)).headers['x-hearth-worker']));
    expect(seen).to.include(String(replacement.worker));
  });

  it('stops every worker gracefully on SIGTERM and exits 0', async () => {
    const { code } = await server!.stop();
    expect(code, server!.stderr()).to.equal(0);
    const stopped = server!.logs.filter((l) => l.msg === 'stopped');
    expect(stopped.filter((l) => l.worker !== undefined)).to.have.length(2);
    expect(stopped.find((l) => l.role === 'primary')).to.include({ failed: false });
  });
});

describe('workers: start-up failures', () => {
  before(ensureBuilt);

  it('stops everything with exit code 1 when the workers cannot start', async () => {
    const missing = databaseUrl(`hearth_missing_${randomBytes(5).toString('hex')}`);
    const server = startProcess({ HEARTH_WORKERS: '2', DATABASE_URL: missing, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    const timeout = setTimeout(() => server.child.kill('SIGKILL'), 60_000);
    const { code } = await server.exited;
    clearTimeout(timeout);
    expect(code).to.equal(1);
    expect(server.logs.some((l) => l.msg === 'worker exited')).to.equal(true);
    expect(server.stderr()).to.match(/failed to start/);
  });
});

import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config/config';
import { createLogger } from '../src/core/logger';
import { startServer, type RunningServer } from '../src/http/server';
import { http, type HttpResponse } from './harness';
import { startStandbyPair, waitFor, type StandbyPair } from './standby-cluster';

/**
 * DATABASE_READ_URL against a real streaming standby: writes on the primary, reads outside
 * transactions on the replica, read-your-writes through the X-Hearth-Consistency token, and the
 * primary taking over reads from a replica that lags beyond HEARTH_READ_MAX_LAG_MS or is down.
 */

const TOKEN = 'X-Hearth-Consistency';

describe('read replica: DATABASE_READ_URL on a streaming standby', function () {
  let pair: StandbyPair | undefined;
  /** Lag bound of 10 minutes: a paused replica keeps serving reads. */
  let tolerant: RunningServer | undefined;
  /** Lag bound of 100 ms: a paused replica soon loses its reads to the primary. */
  let strict: RunningServer | undefined;

  const start = (maxLagMs: string) => {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DATABASE_URL: pair!.primaryUrl,
      DATABASE_READ_URL: pair!.standbyUrl,
      HEARTH_READ_MAX_LAG_MS: maxLagMs,
      HEARTH_DB_POOL_SIZE: '4',
    });
    return startServer(config, createLogger(config.logLevel));
  };
  const call = (server: RunningServer | undefined, method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
    http(method, `${server!.url}/${path}`, { headers, body });
  const family = () => `Replica${randomBytes(5).toString('hex')}`;
  const create = async (name: string): Promise<{ id: string; token: string }> => {
    const r = await call(tolerant, 'POST', 'Patient', {}, { resourceType: 'Patient', name: [{ family: name }] });
    expect(r.status, r.text).to.equal(201);
    return { id: r.json.id as string, token: r.headers.get(TOKEN) ?? '' };
  };
  const found = (r: HttpResponse): number => {
    expect(r.status, r.text).to.equal(200);
    return (r.json.entry ?? []).filter((e: { search?: { mode?: string } }) => e.search?.mode === 'match').length;
  };
  const caughtUp = async () => {
    const [p] = await pair!.query<{ lsn: string }>('primary', 'SELECT pg_current_wal_lsn()::text AS lsn');
    await waitFor('the standby to replay the primary', async () => {
      const [s] = await pair!.query<{ ok: boolean }>('standby', 'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [p!.lsn]);
      return s?.ok === true;
    });
  };
  const pauseReplay = async () => {
    await pair!.query('standby', 'SELECT pg_wal_replay_pause()');
    await waitFor('replay to pause', async () => {
      const [s] = await pair!.query<{ state: string }>('standby', 'SELECT pg_get_wal_replay_pause_state() AS state');
      return s?.state === 'paused';
    });
  };
  const resumeReplay = () => pair!.query('standby', 'SELECT pg_wal_replay_resume()');

  before(async function () {
    this.timeout(180_000);
    pair = await startStandbyPair();
    tolerant = await start('600000');
    strict = await start('100');
    await caughtUp();
  });

  after(async function () {
    this.timeout(60_000);
    try {
      await tolerant?.close();
      await strict?.close();
    } finally {
      pair?.destroy();
    }
  });

  it('runs against a real standby that refuses writes', async () => {
    const [s] = await pair!.query<{ recovery: boolean }>('standby', 'SELECT pg_is_in_recovery() AS recovery');
    expect(s!.recovery).to.equal(true);
    let refused = '';
    await pair!.query('standby', 'CREATE TABLE t (x int)').catch((e: Error) => (refused = e.message));
    expect(refused).to.match(/read-only transaction/);
  });

  it('writes land on the primary and answer with a consistency token', async () => {
    const { id, token } = await create(family());
    expect(token).to.match(/^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/);
    const rows = await pair!.query('primary', 'SELECT version_id FROM resources WHERE resource_type = $1 AND id = $2', ['Patient', id]);
    expect(rows).to.have.length(1);
    const read = await call(tolerant, 'GET', `Patient/${id}`);
    expect(read.headers.get(TOKEN), 'reads carry no token').to.equal(null);
  });

  it('serves searches and reads from the replica, and a read with the token from the primary while the replica lags', async () => {
    await pauseReplay();
    try {
      const name = family();
      const { id, token } = await create(name);
      // The paused standby has not replayed the write: answers without the token come from it.
      expect(found(await call(tolerant, 'GET', `Patient?family=${name}`))).to.equal(0);
      expect((await call(tolerant, 'GET', `Patient/${id}`)).status).to.equal(404);
      expect((await call(tolerant, 'GET', `Patient/${id}/_history/1`)).status).to.equal(404);
      expect((await call(tolerant, 'GET', `Patient/${id}/_history`)).status).to.equal(404);
      // With the token the replica is not far enough along: the primary answers, and sees the write.
      const withToken = { [TOKEN]: token };
      expect(found(await call(tolerant, 'GET', `Patient?family=${name}`, withToken))).to.equal(1);
      expect((await call(tolerant, 'GET', `Patient/${id}`, withToken)).status).to.equal(200);
      expect((await call(tolerant, 'GET', `Patient/${id}/_history/1`, withToken)).status).to.equal(200);
      expect(found(await call(tolerant, 'GET', `Patient/${id}/_history`, withToken))).to.equal(0);
      expect((await call(tolerant, 'GET', `Patient/${id}/_history`, withToken)).json.entry).to.have.length(1);
      // A malformed token cannot be proven satisfied: the primary answers.
      expect((await call(tolerant, 'GET', `Patient/${id}`, { [TOKEN]: 'not-a-position' })).status).to.equal(200);
      // An older token, which the replica has replayed, leaves the read on the replica.
      const [replayed] = await pair!.query<{ lsn: string }>('standby', 'SELECT pg_last_wal_replay_lsn()::text AS lsn');
      expect((await call(tolerant, 'GET', `Patient/${id}`, { [TOKEN]: replayed!.lsn })).status).to.equal(404);
    } finally {
      await resumeReplay();
    }
  });

  it('answers a batch, whose entries each run in a transaction on the primary, with its own writes and a token', async () => {
    await pauseReplay();
    try {
      const id = `batch-${randomBytes(4).toString('hex')}`;
      const bundle = {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { request: { method: 'PUT', url: `Patient/${id}` }, resource: { resourceType: 'Patient', id } },
          { request: { method: 'GET', url: `Patient/${id}` } },
        ],
      };
      const r = await call(tolerant, 'POST', '', {}, bundle);
      expect(r.status, r.text).to.equal(200);
      expect(r.json.entry.map((e: { response: { status: string } }) => e.response.status)).to.deep.equal(['201 Created', '200 OK']);
      expect(r.headers.get(TOKEN)).to.match(/\//);
    } finally {
      await resumeReplay();
    }
  });

  it('catches up once replay resumes: the write becomes visible on the replica', async () => {
    await pauseReplay();
    const name = family();
    let id = '';
    try {
      id = (await create(name)).id;
      expect(found(await call(tolerant, 'GET', `Patient?family=${name}`))).to.equal(0);
    } finally {
      await resumeReplay();
    }
    await waitFor('the replica to serve the new Patient', async () => found(await call(tolerant, 'GET', `Patient?family=${name}`)) === 1);
    expect((await call(tolerant, 'GET', `Patient/${id}`)).status).to.equal(200);
  });

  it('sends reads to the primary once the replica lags beyond HEARTH_READ_MAX_LAG_MS', async () => {
    await pauseReplay();
    try {
      const name = family();
      await create(name);
      await new Promise((r) => setTimeout(r, 400));
      expect(found(await call(tolerant, 'GET', `Patient?family=${name}`)), 'the replica is behind').to.equal(0);
      expect(found(await call(strict, 'GET', `Patient?family=${name}`)), 'the 100 ms server read the primary').to.equal(1);
      const ready = await http('GET', strict!.url.replace(/\/fhir$/, '/readyz'));
      expect(ready.status).to.equal(200);
      expect(ready.json.replica.state).to.equal('lagging');
    } finally {
      await resumeReplay();
    }
    await caughtUp();
    await waitFor('the strict server to see a streaming replica', async () => {
      const ready = await http('GET', strict!.url.replace(/\/fhir$/, '/readyz'));
      return ready.json?.replica?.state === 'streaming';
    });
  });

  it('/readyz reports a streaming replica', async () => {
    const r = await http('GET', tolerant!.url.replace(/\/fhir$/, '/readyz'));
    expect(r.status).to.equal(200);
    expect(r.json.status).to.equal('ready');
    expect(r.json.replica.state).to.equal('streaming');
    expect(r.json.replica.lagMs).to.be.a('number');
  });

  it('falls back to the primary while the replica is down, and returns to it when it is back', async function () {
    this.timeout(120_000);
    const name = family();
    const { id } = await create(name);
    await caughtUp();
    pair!.stopStandby();
    expect((await call(tolerant, 'GET', `Patient/${id}`)).status).to.equal(200);
    expect(found(await call(tolerant, 'GET', `Patient?family=${name}`))).to.equal(1);
    expect((await call(tolerant, 'GET', `Patient/${id}/_history`)).json.entry).to.have.length(1);
    const later = await create(family());
    expect((await call(tolerant, 'GET', `Patient/${later.id}`)).status).to.equal(200);
    const ready = await http('GET', tolerant!.url.replace(/\/fhir$/, '/readyz'));
    expect(ready.status, 'a replica that is down does not fail readiness').to.equal(200);
    expect(ready.json.replica.state).to.equal('unavailable');
    expect(ready.text).not.to.contain('ECONNREFUSED');

    pair!.startStandby();
    await waitFor('the replica to be streaming again', async () => {
      const r = await http('GET', tolerant!.url.replace(/\/fhir$/, '/readyz'));
      return r.json?.replica?.state === 'streaming';
    }, 60_000);
    await pauseReplay();
    try {
      const name2 = family();
      await create(name2);
      expect(found(await call(tolerant, 'GET', `Patient?family=${name2}`)), 'reads are on the replica again').to.equal(0);
    } finally {
      await resumeReplay();
    }
  });
});

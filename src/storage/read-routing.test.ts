import { expect } from 'chai';
import { noteWrite, openScope, runInScope } from './consistency';
import type { SqlDriver } from './driver';
import { fakeProbeDriver, type FakeProbeDriver } from './fake-probe-driver';
import { migrate } from './migrate';
import { createPgliteDriver } from './pglite-driver';
import { isReplicaFailure, RoutingRepository } from './read-routing';
import { ReplicaMonitor } from './replica-monitor';
import type { Repository } from './repository';
import { sql, type Sql } from './sql';
import { SqlRepository } from './sql-repository';

/**
 * Two separate embedded databases stand in for the primary and the replica: a resource written
 * through the routing repository exists on the primary only, so each read shows where it went.
 * The replica's health and replay position come from fake probe drivers.
 */
describe('RoutingRepository', () => {
  let primaryDb: SqlDriver;
  let replicaDb: SqlDriver;
  let probePrimary: FakeProbeDriver;
  let probeReplica: FakeProbeDriver;
  let repo: Repository;
  const search: Sql = sql`SELECT r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, r.content, NULL::text[] AS sort_keys
    FROM resources r WHERE r.resource_type = 'Patient' AND r.id = 'p1'`;

  before(async () => {
    [primaryDb, replicaDb] = await Promise.all([createPgliteDriver(), createPgliteDriver()]);
    await Promise.all([migrate(primaryDb), migrate(replicaDb)]);
  });
  after(async () => Promise.all([primaryDb.close(), replicaDb.close()]));

  beforeEach(async () => {
    await primaryDb.exec('DELETE FROM resources; DELETE FROM resource_history;');
    probePrimary = fakeProbeDriver({ lsn: '0/100' });
    probeReplica = fakeProbeDriver({ replay: '0/100' });
    repo = routed(replicaDb);
    await repo.write({ resourceType: 'Patient', id: 'p1', content: { resourceType: 'Patient' } });
  });

  /** A routing repository whose replica data is `replica`, probed afresh on every read. */
  const routed = (replica: SqlDriver, monitor = new ReplicaMonitor({ primary: probePrimary, replica: probeReplica, maxLagMs: 1000, refreshMs: 0 })) =>
    new RoutingRepository(new SqlRepository(primaryDb), new SqlRepository(replica), monitor);

  /** Whether each kind of routable read finds Patient/p1, i.e. ran on the primary. */
  const sees = async (r: Repository): Promise<Record<string, boolean>> => ({
    readCurrent: (await r.readCurrent('Patient', 'p1')) !== undefined,
    readVersion: (await r.readVersion('Patient', 'p1', 1)) !== undefined,
    history: (await r.history({ resourceType: 'Patient', id: 'p1', count: 10 })).entries.length > 0,
    search: (await r.search(search)).length > 0,
    count: (await r.count(sql`SELECT count(*) AS total FROM resources r WHERE r.id = 'p1'`, 'accurate')) > 0,
  });
  const all = (value: boolean) => ({ readCurrent: value, readVersion: value, history: value, search: value, count: value });
  const searchSees = async (r: Repository) => (await r.search(search)).length > 0;

  it('writes to the primary, and sends readCurrent, readVersion, history, search and count to a fresh replica', async () => {
    expect(await new SqlRepository(primaryDb).readCurrent('Patient', 'p1')).not.to.equal(undefined);
    expect(await sees(repo)).to.deep.equal(all(false));
  });

  it('keeps locking reads, lookups for writes and everything inside a transaction on the primary', async () => {
    expect(await repo.readCurrent('Patient', 'p1', { forUpdate: true })).not.to.equal(undefined);
    expect(await repo.find('Patient', sql``, 10)).to.have.length(1);
    expect(await repo.missingTargets([{ type: 'Patient', id: 'p1' }])).to.deep.equal([]);
    expect(await repo.transaction((tx) => sees(tx))).to.deep.equal(all(true));
  });

  it('reads on the primary after a write in the same scope, and for a token the replica has not replayed', async () => {
    await runInScope(openScope(undefined), async () => {
      expect(await searchSees(repo)).to.equal(false);
      await repo.write({ resourceType: 'Patient', id: 'p2', content: { resourceType: 'Patient' } });
      expect(await sees(repo)).to.deep.equal(all(true));
    });
    await runInScope(openScope(undefined), async () => {
      await repo.transaction(async () => {});
      expect(await searchSees(repo), 'a transaction counts as a write').to.equal(true);
    });
    expect(await runInScope(openScope('0/200'), () => sees(repo))).to.deep.equal(all(true));
    expect(await runInScope(openScope('0/100'), () => searchSees(repo)), 'a replayed token').to.equal(false);
    expect(await runInScope(openScope('nonsense'), () => searchSees(repo)), 'a malformed token').to.equal(true);
    noteWrite();
    expect(await searchSees(repo), 'outside any scope nothing is remembered').to.equal(false);
  });

  it('reads on the primary when the replica lags, is down or is not a standby', async () => {
    probePrimary.lsn = '0/200';
    expect(await searchSees(repo), 'lagging').to.equal(true);
    probePrimary.lsn = '0/100';
    expect(await searchSees(repo), 'caught up').to.equal(false);
    probeReplica.standby = false;
    expect(await searchSees(routed(replicaDb)), 'not a standby').to.equal(true);
    probeReplica.standby = true;
    probeReplica.error = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(await searchSees(routed(replicaDb)), 'down').to.equal(true);
  });

  it('retries a read on the primary when the replica connection fails, and passes other errors on', async () => {
    const failing: SqlDriver = {
      ...replicaDb,
      query: () => Promise.reject(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })),
    };
    const monitor = new ReplicaMonitor({ primary: probePrimary, replica: probeReplica, maxLagMs: 1000, refreshMs: 0 });
    expect(await sees(routed(failing, monitor))).to.deep.equal(all(true));
    expect(monitor.status().state).to.equal('unavailable');
    let error = '';
    await repo.search(sql`SELECT nonsense FROM nowhere`).catch((e: Error) => (error = e.message));
    expect(error).to.match(/nowhere/);
  });

  it('tells replica failures from statement errors', () => {
    const err = (code?: string, message = 'x') => Object.assign(new Error(message), code ? { code } : {});
    for (const e of [err('ECONNREFUSED'), err('ETIMEDOUT'), err('08006'), err('57P01'), err('57P03'), err('53300'), err('40001'), err(undefined, 'Connection terminated unexpectedly'), err(undefined, 'timeout exceeded when trying to connect')]) {
      expect(isReplicaFailure(e), e.message + (e as { code?: string }).code).to.equal(true);
    }
    for (const e of [err('42P01'), err('22P02'), err('57014'), err(undefined, 'boom')]) expect(isReplicaFailure(e), (e as { code?: string }).code).to.equal(false);
  });
});

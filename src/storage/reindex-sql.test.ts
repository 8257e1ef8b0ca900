import type { Resource } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { sql } from './sql';
import { forEachDatabase } from './test-databases';

const patient = (id: string): Resource => ({ resourceType: 'Patient', id });

forEachDatabase('reindex storage: scan, index rewrite, afterCommit', (db) => {
  const repo = () => db.repository();
  const tokens = (id: string) =>
    db.driver().query<{ code: string; value: string }>(sql`SELECT code, value FROM idx_token WHERE resource_type = 'Patient' AND id = ${id} ORDER BY code, value`);
  const references = (id: string) => db.driver().query(sql`SELECT target_id FROM resource_references WHERE resource_type = 'Patient' AND id = ${id}`);

  before(async () => {
    for (const id of ['b', 'a', 'c']) {
      await repo().write({ resourceType: 'Patient', id, content: patient(id), index: { idx_token: [['old', null, id, null]], resource_references: [['Organization', 'o1']] } });
    }
    await repo().write({ resourceType: 'Observation', id: 'a', content: { resourceType: 'Observation', id: 'a', status: 'final', code: {} } as Resource });
    await repo().write({ resourceType: 'Patient', id: 'gone', content: patient('gone') });
    await repo().write({ resourceType: 'Patient', id: 'gone', content: null });
  });

  it('scans current resources of several types in (type, id) order, after a position', async () => {
    const all = await repo().scan({ types: ['Patient', 'Observation'], limit: 10 });
    expect(all.map((r) => `${r.resourceType}/${r.id}`)).to.deep.equal(['Observation/a', 'Patient/a', 'Patient/b', 'Patient/c']);
    const next = await repo().scan({ types: ['Patient', 'Observation'], after: { type: 'Patient', id: 'a' }, limit: 1 });
    expect(next.map((r) => r.id)).to.deep.equal(['b']);
    expect(await repo().countScan({ types: ['Patient', 'Observation'] })).to.equal(4);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect(await repo().scan({ types: ['Patient'], since: future, limit: 10 })).to.deep.equal([]);
    expect(await repo().countScan({ types: ['Patient'], since: '2000-01-01T00:00:00Z' })).to.equal(3);
  });

  it('rewrites the search index rows of current versions only, leaving references and versions alone', async () => {
    const n = await repo().rewriteIndex([
      { resourceType: 'Patient', id: 'a', versionId: 1, index: { idx_token: [['new', null, 'A', null]] } },
      { resourceType: 'Patient', id: 'b', versionId: 7, index: { idx_token: [['new', null, 'B', null]] } },
      { resourceType: 'Patient', id: 'gone', versionId: 2, index: { idx_token: [['new', null, 'G', null]] } },
    ]);
    expect(n).to.equal(1);
    expect(await tokens('a')).to.deep.equal([{ code: 'new', value: 'A' }]);
    expect(await tokens('b')).to.deep.equal([{ code: 'old', value: 'b' }]);
    expect(await tokens('gone')).to.deep.equal([]);
    expect(await references('a')).to.have.length(1);
    expect((await repo().readCurrent('Patient', 'a'))!.versionId).to.equal(1);
    expect((await repo().history({ resourceType: 'Patient', id: 'a', count: 10 })).total).to.equal(1);
  });

  it('runs afterCommit callbacks once the transaction commits, never after a rollback', async () => {
    const calls: string[] = [];
    repo().afterCommit(() => calls.push('outside'));
    expect(calls).to.deep.equal(['outside']);
    await repo().transaction(async (tx) => {
      tx.afterCommit(() => calls.push('committed'));
      await tx.transaction(async (inner) => inner.afterCommit(() => calls.push('nested')));
      expect(calls).to.deep.equal(['outside']);
    });
    expect(calls).to.deep.equal(['outside', 'committed', 'nested']);
    await repo()
      .transaction(async (tx) => {
        tx.afterCommit(() => calls.push('rolled back'));
        throw new Error('abort');
      })
      .catch(() => undefined);
    expect(calls).to.deep.equal(['outside', 'committed', 'nested']);
  });
});

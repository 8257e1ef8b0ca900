import type { Patient, Resource } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { FhirError } from '../core/errors';
import type { Repository, WriteInput } from './repository';
import { sql } from './sql';
import { forEachDatabase } from './test-databases';

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function patient(id: string, family: string, extra: Partial<Patient> = {}): Patient {
  return { resourceType: 'Patient', id, name: [{ family }], ...extra };
}

async function expect412(p: Promise<unknown>, message?: string): Promise<FhirError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(FhirError);
    expect((err as FhirError).status).to.equal(412);
    if (message) expect((err as FhirError).message).to.contain(message);
    return err as FhirError;
  }
  return expect.fail('expected a 412');
}

forEachDatabase('SqlRepository', (db) => {
  const repo = (): Repository => db.repository();
  const write = (input: WriteInput) => repo().write(input);

  it('creates, reads and versions a resource, filling meta', async () => {
    const input = patient('p1', 'One', { meta: { profile: ['http://example.org/p'] } });
    const before = JSON.stringify(input);
    const v1 = await write({ resourceType: 'Patient', id: 'p1', content: input, expectedVersionId: null });
    expect(JSON.stringify(input)).to.equal(before, 'the caller object is not mutated');
    expect(v1).to.include({ resourceType: 'Patient', id: 'p1', versionId: 1, deleted: false });
    expect(v1.lastUpdated).to.match(ISO_MS);
    expect(v1.content?.meta).to.deep.equal({
      profile: ['http://example.org/p'],
      versionId: '1',
      lastUpdated: v1.lastUpdated,
    });

    const read = await repo().readCurrent('Patient', 'p1');
    expect(read).to.deep.equal(v1);
    expect(Object.keys(read!.content!)[0]).to.equal('resourceType');

    const v2 = await write({ resourceType: 'Patient', id: 'p1', content: patient('p1', 'Two'), expectedVersionId: 1 });
    expect(v2.versionId).to.equal(2);
    expect(v2.content?.meta?.versionId).to.equal('2');
    expect(v2.lastUpdated > v1.lastUpdated).to.equal(true);
    expect(await repo().readCurrent('Patient', 'p1')).to.deep.equal(v2);
    expect(await repo().readVersion('Patient', 'p1', 1)).to.deep.equal(v1);
    expect(await repo().readVersion('Patient', 'p1', 2)).to.deep.equal(v2);
    expect(await repo().readVersion('Patient', 'p1', 3)).to.equal(undefined);
    expect(await repo().readCurrent('Patient', 'nope')).to.equal(undefined);
    expect(await repo().readCurrent('Observation', 'p1')).to.equal(undefined);
  });

  it('fills a missing id and rejects content of another type or id', async () => {
    const { id: _, ...noId } = patient('x', 'NoId');
    const stored = await write({ resourceType: 'Patient', id: 'filled', content: noId as Resource });
    expect(stored.content?.id).to.equal('filled');
    let failed = 0;
    for (const input of [
      { resourceType: 'Observation', id: 'filled', content: patient('filled', 'X') },
      { resourceType: 'Patient', id: 'filled', content: patient('other', 'X') },
    ]) {
      await write(input).catch(() => failed++);
    }
    expect(failed).to.equal(2);
    expect((await repo().readCurrent('Patient', 'filled'))?.versionId).to.equal(1);
  });

  it('records deletions as versions without content', async () => {
    const v1 = await write({ resourceType: 'Patient', id: 'del', content: patient('del', 'D') });
    const gone = await write({ resourceType: 'Patient', id: 'del', content: null, expectedVersionId: 1 });
    expect(gone).to.include({ versionId: 2, deleted: true, content: null });
    expect(await repo().readCurrent('Patient', 'del')).to.deep.equal(gone);
    expect(await repo().readVersion('Patient', 'del', 1)).to.deep.equal(v1);
    expect(await repo().readVersion('Patient', 'del', 2)).to.deep.equal(gone);
    // Deleting again, or deleting what never existed, still just records a version.
    expect((await write({ resourceType: 'Patient', id: 'del', content: null })).versionId).to.equal(3);
    expect(await write({ resourceType: 'Patient', id: 'never', content: null })).to.include({ versionId: 1, deleted: true });
    // A deleted resource may be created again with expectedVersionId null.
    const back = await write({ resourceType: 'Patient', id: 'del', content: patient('del', 'Back'), expectedVersionId: null });
    expect(back).to.include({ versionId: 4, deleted: false });
  });

  it('enforces expectedVersionId with 412', async () => {
    await write({ resourceType: 'Patient', id: 'lock', content: patient('lock', 'L') });
    await write({ resourceType: 'Patient', id: 'lock', content: patient('lock', 'L2') });
    await expect412(write({ resourceType: 'Patient', id: 'lock', content: patient('lock', 'X'), expectedVersionId: 1 }),
      'expected version 1, but the current version is 2');
    await expect412(write({ resourceType: 'Patient', id: 'lock', content: patient('lock', 'X'), expectedVersionId: null }),
      'already exists');
    await expect412(write({ resourceType: 'Patient', id: 'absent', content: patient('absent', 'X'), expectedVersionId: 1 }),
      'does not exist');
    expect((await repo().readCurrent('Patient', 'lock'))?.versionId).to.equal(2);
    expect(await repo().readCurrent('Patient', 'absent')).to.equal(undefined);
  });

  it('lets exactly one of two writes with the same expectedVersionId win', async () => {
    await write({ resourceType: 'Patient', id: 'race', content: patient('race', 'R') });
    const results = await Promise.allSettled(
      ['A', 'B'].map((family) =>
        write({ resourceType: 'Patient', id: 'race', content: patient('race', family), expectedVersionId: 1 })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).to.have.length(1);
    expect(lost).to.have.length(1);
    expect((lost[0]!.reason as FhirError).status).to.equal(412);
    expect((await repo().readCurrent('Patient', 'race'))?.versionId).to.equal(2);
  });

  it('serializes N concurrent unconditional writes into versions 1..N', async () => {
    const n = 20;
    const stored = await Promise.all(
      Array.from({ length: n }, (_, i) => write({ resourceType: 'Patient', id: 'many', content: patient('many', `F${i}`) })),
    );
    expect(stored.map((s) => s.versionId).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: n }, (_, i) => i + 1));
    const byVersion = [...stored].sort((a, b) => a.versionId - b.versionId);
    for (let i = 1; i < n; i++) expect(byVersion[i]!.lastUpdated > byVersion[i - 1]!.lastUpdated).to.equal(true);
    const families = new Set<string>();
    for (let v = 1; v <= n; v++) {
      const version = await repo().readVersion('Patient', 'many', v);
      expect(version?.content?.meta?.versionId).to.equal(String(v));
      families.add((version!.content as Patient).name![0]!.family!);
    }
    expect(families.size).to.equal(n, 'no write was lost');
  });

  it('lets exactly one of several racing creates of a new id win', async () => {
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map((i) =>
        write({ resourceType: 'Patient', id: 'new-race', content: patient('new-race', `C${i}`), expectedVersionId: null })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as FhirError).status).to.equal(412);
    expect((await repo().readCurrent('Patient', 'new-race'))?.versionId).to.equal(1);
    const history = await repo().history({ resourceType: 'Patient', id: 'new-race', count: 10 });
    expect(history.total).to.equal(1);
  });

  it('gives racing unconditional creates of a new id consecutive versions', async () => {
    const stored = await Promise.all(
      [1, 2, 3].map((i) => write({ resourceType: 'Patient', id: 'new-race-2', content: patient('new-race-2', `C${i}`) })),
    );
    expect(stored.map((s) => s.versionId).sort()).to.deep.equal([1, 2, 3]);
  });

  it('finds current, non-deleted resources matching a JSONB fragment, ordered by id', async () => {
    for (const [id, family, active] of [['f3', 'Find', true], ['f1', 'Find', true], ['f2', 'Find', false], ['f4', 'Other', true]] as const) {
      await write({ resourceType: 'Patient', id, content: patient(id, family, { active }) });
    }
    await write({ resourceType: 'Patient', id: 'f5', content: patient('f5', 'Find') });
    await write({ resourceType: 'Patient', id: 'f5', content: null });
    const fragment = sql`r.content @> ${JSON.stringify({ name: [{ family: 'Find' }] })}::jsonb`;
    const found = await repo().find('Patient', fragment, 10);
    expect(found.map((f) => f.id)).to.deep.equal(['f1', 'f2', 'f3']);
    expect(found[0]!.content?.meta?.versionId).to.equal('1');
    const active = await repo().find('Patient', sql`${fragment} AND r.content @> ${'{"active":true}'}::jsonb`, 1);
    expect(active.map((f) => f.id)).to.deep.equal(['f1']);
    expect(await repo().find('Observation', fragment, 10)).to.deep.equal([]);
  });

  it('rolls back every write of a failed transaction', async () => {
    await write({ resourceType: 'Patient', id: 'tx-existing', content: patient('tx-existing', 'E') });
    const failing = repo().transaction(async (tx) => {
      await tx.write({ resourceType: 'Patient', id: 'tx-new', content: patient('tx-new', 'N') });
      await tx.write({ resourceType: 'Patient', id: 'tx-existing', content: patient('tx-existing', 'E2') });
      expect((await tx.readCurrent('Patient', 'tx-new'))?.versionId).to.equal(1);
      await tx.transaction((inner) => inner.write({ resourceType: 'Patient', id: 'tx-new', content: null }));
      throw new Error('abort');
    });
    await failing.then(() => expect.fail('should reject'), (err: Error) => expect(err.message).to.equal('abort'));
    expect(await repo().readCurrent('Patient', 'tx-new')).to.equal(undefined);
    expect((await repo().readCurrent('Patient', 'tx-existing'))?.versionId).to.equal(1);
    expect((await repo().history({ resourceType: 'Patient', id: 'tx-new', count: 5 })).total).to.equal(0);
    expect((await repo().history({ resourceType: 'Patient', id: 'tx-existing', count: 5 })).total).to.equal(1);
  });

  it('commits all writes of a successful transaction', async () => {
    const ids = await repo().transaction(async (tx) => {
      const a = await tx.write({ resourceType: 'Patient', id: 'tx-a', content: patient('tx-a', 'A'), expectedVersionId: null });
      const b = await tx.write({ resourceType: 'Patient', id: 'tx-a', content: patient('tx-a', 'B'), expectedVersionId: 1 });
      return [a.versionId, b.versionId];
    });
    expect(ids).to.deep.equal([1, 2]);
    expect((await repo().readCurrent('Patient', 'tx-a'))?.versionId).to.equal(2);
  });

  it('reads, finds and lists history inside a transaction', async () => {
    await repo().transaction(async (tx) => {
      await tx.write({ resourceType: 'Patient', id: 'tx-read', content: patient('tx-read', 'R') });
      const [history, found, read] = await Promise.all([
        tx.history({ resourceType: 'Patient', id: 'tx-read', count: 5 }),
        tx.find('Patient', sql`r.id = ${'tx-read'}`, 5),
        tx.readCurrent('Patient', 'tx-read'),
      ]);
      expect(history.total).to.equal(1);
      expect(found.map((f) => f.id)).to.deep.equal(['tx-read']);
      expect(read?.versionId).to.equal(1);
    });
  });

  it('serializes transactions that take the same lock key', async () => {
    const order: string[] = [];
    const worker = (name: string, hold: number) =>
      repo().transaction(async (tx) => {
        await tx.lock('Patient?identifier=urn:lock|1');
        order.push(`${name}:in`);
        await new Promise((r) => setTimeout(r, hold));
        order.push(`${name}:out`);
      });
    await Promise.all([worker('a', 50), worker('b', 0)]);
    expect([order.slice(0, 2), order.slice(2)].map((pair) => pair[0]!.split(':')[0] === pair[1]!.split(':')[0])).to.deep.equal([true, true]);
  });
});

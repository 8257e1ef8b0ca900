import type { Resource } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { FhirError } from '../core/errors';
import type { SqlDriver } from './driver';
import { decodeHistoryCursor, encodeHistoryCursor } from './history-query';
import type { HistoryQuery, Repository, StoredVersion } from './repository';
import { SqlRepository } from './sql-repository';
import { forEachDatabase } from './test-databases';

const T0 = Date.parse('2024-01-01T00:00:00.000Z');
const t = (i: number): string => new Date(T0 + i * 1000).toISOString();

/** A repository whose clock advances one second per write, starting at T0. */
function steppingRepository(driver: SqlDriver): SqlRepository {
  let tick = 0;
  return new SqlRepository(driver, { now: () => T0 + 1000 * tick++ });
}

const content = (resourceType: string, id: string, n: number): Resource =>
  ({ resourceType, id, text: { status: 'generated', div: `<div>${n}</div>` } }) as Resource;

/** "Type/id/version" labels of a page, for compact assertions. */
const labels = (entries: StoredVersion[]): string[] => entries.map((e) => `${e.resourceType}/${e.id}/${e.versionId}`);

forEachDatabase('history', (db) => {
  let repo: Repository;

  before(async () => {
    const writer = steppingRepository(db.driver());
    const w = (resourceType: string, id: string, deleted = false) =>
      writer.write({ resourceType, id, content: deleted ? null : content(resourceType, id, 0) });
    await w('Patient', 'a'); //        t0  a/1
    await w('Patient', 'b'); //        t1  b/1
    await w('Observation', 'o1'); //   t2  o1/1
    await w('Patient', 'a'); //        t3  a/2
    await w('Patient', 'b', true); //  t4  b/2 (deleted)
    await w('Observation', 'o1'); //   t5  o1/2
    await w('Patient', 'a'); //        t6  a/3
    await w('Patient', 'c'); //        t7  c/1
    repo = db.repository();
  });

  const page = (q: Omit<HistoryQuery, 'count'> & { count?: number }) => repo.history({ count: 100, ...q });

  it('lists an instance, a type and the whole system, newest first, with totals', async () => {
    const instance = await page({ resourceType: 'Patient', id: 'a' });
    expect(labels(instance.entries)).to.deep.equal(['Patient/a/3', 'Patient/a/2', 'Patient/a/1']);
    expect(instance.total).to.equal(3);
    expect(instance.next).to.equal(undefined);
    expect(instance.entries[0]!.lastUpdated).to.equal(t(6));
    expect(instance.entries[0]!.content?.meta?.lastUpdated).to.equal(t(6));

    const type = await page({ resourceType: 'Patient' });
    expect(labels(type.entries)).to.deep.equal(['Patient/c/1', 'Patient/a/3', 'Patient/b/2', 'Patient/a/2', 'Patient/b/1', 'Patient/a/1']);
    expect(type.total).to.equal(6);
    expect(type.entries[2]).to.include({ deleted: true, content: null });

    const system = await page({});
    expect(system.entries).to.have.length(8);
    expect(system.total).to.equal(8);
    expect(labels(system.entries).slice(0, 3)).to.deep.equal(['Patient/c/1', 'Patient/a/3', 'Observation/o1/2']);
  });

  it('filters by _since (inclusive)', async () => {
    expect(labels((await page({ resourceType: 'Patient', since: t(3) })).entries))
      .to.deep.equal(['Patient/c/1', 'Patient/a/3', 'Patient/b/2', 'Patient/a/2']);
    const system = await page({ since: t(3) });
    expect(system.total).to.equal(5);
    expect((await page({ since: t(8) })).total).to.equal(0);
    expect((await page({ resourceType: 'Patient', id: 'a', since: '2024-01-01T01:00:03+01:00' })).total).to.equal(2);
  });

  it('keeps only the version current at _at', async () => {
    expect(labels((await page({ at: t(4) })).entries)).to.deep.equal(['Patient/b/2', 'Patient/a/2', 'Observation/o1/1']);
    expect(labels((await page({ at: new Date(T0 + 3500).toISOString() })).entries))
      .to.deep.equal(['Patient/a/2', 'Observation/o1/1', 'Patient/b/1']);
    expect(labels((await page({ resourceType: 'Patient', id: 'a', at: t(5) })).entries)).to.deep.equal(['Patient/a/2']);
    expect((await page({ at: '2023-12-31T23:59:59Z' })).total).to.equal(0);
    const atAndSince = await page({ at: t(7), since: t(5) });
    expect(labels(atAndSince.entries)).to.deep.equal(['Patient/c/1', 'Patient/a/3', 'Observation/o1/2']);
    expect(atAndSince.total).to.equal(3);
  });

  it('pages with a cursor until the last page', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const p = await repo.history({ count: 3, ...(cursor ? { cursor } : {}) });
      expect(p.total).to.equal(8);
      seen.push(...labels(p.entries));
      cursor = p.next;
      pages++;
    } while (cursor);
    expect(pages).to.equal(3);
    expect(seen).to.deep.equal(labels((await page({})).entries));

    const first = await repo.history({ resourceType: 'Patient', count: 3 });
    const second = await repo.history({ resourceType: 'Patient', count: 3, cursor: first.next! });
    expect(labels(second.entries)).to.deep.equal(['Patient/a/2', 'Patient/b/1', 'Patient/a/1']);
    expect(second.next, 'no empty trailing page').to.equal(undefined);
  });

  it('answers count 0 with the total only, and skips the total on request', async () => {
    const none = await repo.history({ count: 0 });
    expect(none).to.deep.equal({ entries: [], total: 8 });
    const noTotal = await repo.history({ count: 2, total: false });
    expect(noTotal.total).to.equal(undefined);
    expect(noTotal.entries).to.have.length(2);
  });

  it('rejects malformed cursors and instants with 400', async () => {
    for (const q of [{ cursor: 'not-a-cursor' }, { cursor: encodeHistoryCursor(1).slice(2) }, { since: 'yesterday' }, { at: '2024-13-45' }]) {
      const err = await repo.history({ count: 1, ...q }).then(() => undefined, (e: unknown) => e);
      expect(err, JSON.stringify(q)).to.be.instanceOf(FhirError);
      expect((err as FhirError).status).to.equal(400);
    }
    expect(decodeHistoryCursor(encodeHistoryCursor(123456789))).to.equal(123456789);
  });

  it('keeps later pages stable while new versions are written', async () => {
    const before = labels((await page({})).entries);
    const first = await repo.history({ count: 3 });
    expect(labels(first.entries)).to.deep.equal(before.slice(0, 3));

    const writer = db.repository();
    const writes = ['a', 'b', 'c', 'd', 'e', 'a', 'c'].map((id, i) =>
      writer.write({ resourceType: 'Patient', id, content: content('Patient', id, i + 1) }));
    const [second] = await Promise.all([repo.history({ count: 3, cursor: first.next! }), ...writes]);
    expect(labels(second.entries)).to.deep.equal(before.slice(3, 6));
    const third = await repo.history({ count: 3, cursor: second.next! });
    expect(labels(third.entries)).to.deep.equal(before.slice(6, 8));
    expect(third.next).to.equal(undefined);
    expect(third.total).to.equal(15);
  });
});

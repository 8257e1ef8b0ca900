import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Observation, Patient } from '@medplum/fhirtypes';
import { expect } from 'chai';
import type { InteractionContext } from '../interactions/types';
import { conditionalWhere } from '../search/conditional';
import type { SqlDriver } from '../storage/driver';
import type { Repository } from '../storage/repository';
import { SqlRepository } from '../storage/sql-repository';
import { forEachDatabase } from '../storage/test-databases';
import { processBundle } from './index';
import { BASE, SYS, contextOf } from '../testing/fixtures';

const RACERS = 6;

const patient = (value: string): Patient => ({ resourceType: 'Patient', identifier: [{ system: SYS, value }] });

/** A Patient conditional create (ifNoneExist) plus an Observation referring to it by fullUrl. */
function createWithObservation(value: string): BundleEntry[] {
  const full = `urn:uuid:${randomUUID()}`;
  return [
    { fullUrl: full, resource: patient(value), request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${SYS}|${value}` } },
    { resource: { resourceType: 'Observation', status: 'final', code: { text: value }, subject: { reference: full } }, request: { method: 'POST', url: 'Observation' } },
  ];
}

forEachDatabase('bundles: concurrent Bundles', (db) => {
  const repo = (): Repository => db.repository();
  const submit = (type: 'batch' | 'transaction', entry: BundleEntry[]) =>
    processBundle(contextOf(db), { resourceType: 'Bundle', type, entry }, { baseUrl: BASE, prefer: 'minimal', maxEntries: 100, onUnexpected: () => undefined });
  const withIdentifier = (value: string) => repo().find('Patient', conditionalWhere([['identifier', `${SYS}|${value}`]], 'Patient'), 10);
  const observationAt = async (location: string | undefined): Promise<Observation> => {
    const id = /\/Observation\/([^/]+)\/_history\//.exec(location ?? '')?.[1];
    return ((await repo().readCurrent('Observation', id ?? ''))?.content as Observation) ?? expect.fail(`no Observation at ${location}`);
  };

  it(`${RACERS} racing transactions with the same ifNoneExist create exactly one resource`, async () => {
    const value = `race-${randomUUID()}`;
    const results: Bundle[] = await Promise.all(Array.from({ length: RACERS }, () => submit('transaction', createWithObservation(value))));
    const stored = await withIdentifier(value);
    expect(stored).to.have.length(1);
    const ref = `Patient/${stored[0]!.id}`;
    const statuses = results.map((r) => r.entry![0]!.response?.status).sort();
    expect(statuses).to.deep.equal(['200 OK', ...Array<string>(RACERS - 1).fill('200 OK')].map((s, i) => (i === 0 ? '201 Created' : s)).sort());
    for (const r of results) {
      expect(r.entry![0]!.response?.location).to.equal(`${BASE}/${ref}/_history/1`);
      expect((await observationAt(r.entry![1]!.response?.location)).subject?.reference).to.equal(ref);
    }
  });

  it(`${RACERS} racing batches with the same ifNoneExist create exactly one resource`, async () => {
    const value = `race-batch-${randomUUID()}`;
    const entry = (): BundleEntry[] => [{ resource: patient(value), request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${SYS}|${value}` } }];
    const results = await Promise.all(Array.from({ length: RACERS }, () => submit('batch', entry())));
    expect(await withIdentifier(value)).to.have.length(1);
    expect(results.map((r) => r.entry![0]!.response?.status).filter((s) => s === '201 Created')).to.have.length(1);
    expect(results.every((r) => /^20[01] /.test(r.entry![0]!.response?.status ?? ''))).to.equal(true);
  });

  it('racing transactions with two conditional creates in opposite orders all succeed without a deadlock (no transaction re-run)', async () => {
    const [a, b] = [`race-a-${randomUUID()}`, `race-b-${randomUUID()}`];
    let runs = 0;
    const inner = db.driver();
    const counting: SqlDriver = {
      kind: inner.kind,
      query: (q) => inner.query(q),
      exec: (script) => inner.exec(script),
      transaction: (fn) =>
        inner.transaction((tx) => {
          runs++;
          return fn(tx);
        }),
      close: () => inner.close(),
    };
    const ctx: InteractionContext = { ...contextOf(db), repo: new SqlRepository(counting) };
    const bundles = Array.from({ length: RACERS }, (_, i) => (i % 2 === 0 ? [...createWithObservation(a), ...createWithObservation(b)] : [...createWithObservation(b), ...createWithObservation(a)]));
    const settled = await Promise.allSettled(
      bundles.map((entry) => processBundle(ctx, { resourceType: 'Bundle', type: 'transaction', entry }, { baseUrl: BASE, prefer: 'minimal', maxEntries: 100, onUnexpected: () => undefined })),
    );
    const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => String((s.reason as Error)?.message ?? s.reason));
    expect(failures).to.deep.equal([]);
    expect(await withIdentifier(a)).to.have.length(1);
    expect(await withIdentifier(b)).to.have.length(1);
    expect(runs, 'transaction bodies run (more than one per Bundle means a deadlock retry)').to.equal(RACERS);
  });

  it('racing transactions PUTting the same new id: every one succeeds, one creates (201), versions 1..n', async () => {
    const id = `race-put-${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: RACERS }, (_, i) => submit('transaction', [{ resource: { ...patient(`put-${i}`), id }, request: { method: 'PUT', url: `Patient/${id}` } }])),
    );
    const statuses = results.map((r) => r.entry![0]!.response?.status);
    expect(statuses.filter((s) => s === '201 Created')).to.have.length(1);
    expect(statuses.filter((s) => s === '200 OK')).to.have.length(RACERS - 1);
    expect(results.map((r) => r.entry![0]!.response?.etag).sort()).to.deep.equal(Array.from({ length: RACERS }, (_, i) => `W/"${i + 1}"`).sort());
    expect((await repo().readCurrent('Patient', id))?.versionId).to.equal(RACERS);
  });
});

import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Observation, Patient } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { conditionalWhere } from '../search/conditional';
import type { Repository, StoredVersion } from '../storage/repository';
import { searchIndexRows } from '../search/index-rows';
import { forEachDatabase } from '../storage/test-databases';
import type { ReturnPreference } from './entry';
import { processBundle } from './index';
import { BASE, SYS, contextOf, urn, patient, observation, refOf, rejected as rejectedWith } from '../testing/fixtures';

const batch = (...entry: BundleEntry[]): Bundle => ({ resourceType: 'Bundle', type: 'batch', entry });

const rejected = (p: Promise<unknown>) => rejectedWith(p, 'the Bundle');

forEachDatabase('bundles: batch', (db) => {
  const repo = (): Repository => db.repository();
  let unexpected: unknown[] = [];
  beforeEach(() => {
    unexpected = [];
  });
  const submit = (body: unknown, prefer: ReturnPreference = 'minimal', maxEntries = 100) =>
    processBundle(contextOf(db), body, { baseUrl: BASE, prefer, maxEntries, onUnexpected: (e) => unexpected.push(e) });
  const seed = (value: string): Promise<StoredVersion> => {
    const id = `seed-${randomUUID()}`;
    return repo().write({ resourceType: 'Patient', id, content: patient(value, { id }), index: searchIndexRows(patient(value, { id })), expectedVersionId: null });
  };
  const withIdentifier = (value: string) => repo().find('Patient', conditionalWhere([['identifier', `${SYS}|${value}`]], 'Patient'), 10);
  const historyTotal = async (): Promise<number> => (await repo().history({ count: 0 })).total ?? -1;

  describe('independent entries', () => {
    it('a failing entry leaves the others stored, each entry with its own status and outcome', async () => {
      const existing = await seed('batch-existing');
      const clientId = `batch-${randomUUID()}`;
      const out = await submit(
        batch(
          { resource: patient('batch-ok'), request: { method: 'POST', url: 'Patient' } },
          { resource: { resourceType: 'Patient', gender: 'robot' } as unknown as Patient, request: { method: 'POST', url: 'Patient' } },
          { resource: patient('batch-put', { id: clientId }), request: { method: 'PUT', url: `Patient/${clientId}` } },
          { request: { method: 'GET', url: `Patient/missing-${randomUUID()}` } },
          { request: { method: 'GET', url: `Patient/${existing.id}` } },
          { resource: patient('batch-stale', { id: existing.id }), request: { method: 'PUT', url: `Patient/${existing.id}`, ifMatch: 'W/"9"' } },
        ),
      );
      expect(out.resourceType).to.equal('Bundle');
      expect(out.type).to.equal('batch-response');
      expect(out.entry!.map((e) => e.response?.status)).to.deep.equal(['201 Created', '400 Bad Request', '201 Created', '404 Not Found', '200 OK', '412 Precondition Failed']);
      expect(await withIdentifier('batch-ok')).to.have.length(1);
      expect(refOf(out.entry![0]!.response?.location)).to.equal(`Patient/${(await withIdentifier('batch-ok'))[0]!.id}`);
      expect((await repo().readCurrent('Patient', clientId))?.versionId).to.equal(1);
      expect(await repo().readCurrent('Patient', existing.id)).to.deep.equal(existing);

      const invalid = out.entry![1]!.response?.outcome;
      expect(invalid?.resourceType).to.equal('OperationOutcome');
      expect(invalid?.issue?.[0]?.expression).to.deep.equal(['Patient.gender']);
      expect(out.entry![1]!.resource).to.equal(undefined);
      expect(out.entry![3]!.response?.outcome?.issue?.[0]?.code).to.equal('not-found');
      expect(out.entry![5]!.response?.outcome?.issue?.[0]?.code).to.equal('conflict');
      expect((out.entry![4]!.resource as Patient).id).to.equal(existing.id);
      expect(out.entry![0]!.response?.outcome).to.equal(undefined);
      expect(unexpected).to.deep.equal([]);
    });

    it('includes resources with return=representation and outcomes with return=OperationOutcome', async () => {
      const repr = await submit(batch({ resource: patient('batch-repr'), request: { method: 'POST', url: 'Patient' } }), 'representation');
      expect((repr.entry![0]!.resource as Patient).identifier?.[0]?.value).to.equal('batch-repr');
      const oo = await submit(batch({ resource: patient('batch-oo'), request: { method: 'POST', url: 'Patient' } }), 'OperationOutcome');
      expect(oo.entry![0]!.resource).to.equal(undefined);
      expect(oo.entry![0]!.response?.outcome?.resourceType).to.equal('OperationOutcome');
    });

    it('a HEAD entry answers the status and etag without the resource', async () => {
      const p = await seed('batch-head');
      const out = await submit(batch({ request: { method: 'HEAD', url: `Patient/${p.id}` } }));
      expect(out.entry![0]!.response).to.deep.include({ status: '200 OK', etag: 'W/"1"' });
      expect(out.entry![0]!.resource).to.equal(undefined);
    });

    it('an entry without request fails alone with 400', async () => {
      const out = await submit(batch({ resource: patient('batch-noreq') }, { resource: patient('batch-after-noreq'), request: { method: 'POST', url: 'Patient' } }));
      expect(out.entry!.map((e) => e.response?.status)).to.deep.equal(['400 Bad Request', '201 Created']);
      expect(out.entry![0]!.response?.outcome?.issue?.[0]?.expression).to.deep.equal(['Bundle.entry[0].request']);
      expect(await withIdentifier('batch-noreq')).to.deep.equal([]);
    });

    it('a search entry answers with its searchset Bundle (search-entries.test.ts has more)', async () => {
      const out = await submit(batch({ request: { method: 'GET', url: `Patient?identifier=${SYS}|batch-searched` } }, { resource: patient('batch-after-search'), request: { method: 'POST', url: 'Patient' } }));
      expect(out.entry![0]!.response?.status).to.equal('200 OK');
      expect(out.entry![0]!.resource).to.deep.include({ resourceType: 'Bundle', type: 'searchset', total: 0 });
      expect(out.entry![1]!.response?.status).to.equal('201 Created');
    });

    it('an entry with a malformed URL fails alone with 400, not 500', async () => {
      const out = await submit(batch({ request: { method: 'GET', url: 'Patient/%zz' } }, { resource: patient('batch-after-url'), request: { method: 'POST', url: 'Patient' } }));
      expect(out.entry!.map((e) => e.response?.status)).to.deep.equal(['400 Bad Request', '201 Created']);
      expect(unexpected).to.deep.equal([]);
    });

    it('an entry that is null fails alone with 400, not 500', async () => {
      const out = await submit({ resourceType: 'Bundle', type: 'batch', entry: [null, { resource: patient('batch-after-null'), request: { method: 'POST', url: 'Patient' } }] });
      expect(out.entry!.map((e) => e.response?.status)).to.deep.equal(['400 Bad Request', '201 Created']);
      expect(unexpected).to.deep.equal([]);
    });

    it('ifNoneExist, conditional PUT, PATCH and DELETE work per entry', async () => {
      const p = await seed('batch-cond');
      const patchData = Buffer.from(JSON.stringify([{ op: 'add', path: '/active', value: true }])).toString('base64');
      const out = await submit(
        batch(
          { resource: patient('batch-cond'), request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${SYS}|batch-cond` } },
          { resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: patchData }, request: { method: 'PATCH', url: `Patient/${p.id}` } },
          { resource: patient('batch-cond', { gender: 'female' }), request: { method: 'PUT', url: `Patient?identifier=${SYS}|batch-cond` } },
          { request: { method: 'DELETE', url: `Patient/${p.id}` } },
        ),
      );
      expect(out.entry!.map((e) => e.response?.status)).to.deep.equal(['200 OK', '200 OK', '200 OK', '204 No Content']);
      expect(out.entry![0]!.response?.location).to.equal(`${BASE}/Patient/${p.id}/_history/1`);
      const history = await repo().history({ resourceType: 'Patient', id: p.id, count: 10 });
      expect(history.entries.map((v) => v.versionId)).to.deep.equal([4, 3, 2, 1]);
      expect((history.entries[1]!.content as Patient)).to.deep.include({ gender: 'female', id: p.id });
      expect((history.entries[1]!.content as Patient).active).to.equal(undefined);
      expect((history.entries[2]!.content as Patient).active).to.equal(true);
    });
  });

  describe('references', () => {
    it('rejects, for that entry only, a urn:uuid reference to another batch entry', async () => {
      const p = urn();
      const out = await submit(
        batch(
          { fullUrl: p, resource: patient('batch-urn'), request: { method: 'POST', url: 'Patient' } },
          { resource: observation({ subject: { reference: p } }), request: { method: 'POST', url: 'Observation' } },
        ),
      );
      expect(out.entry!.map((e) => e.response?.status)).to.deep.equal(['201 Created', '400 Bad Request']);
      expect(out.entry![1]!.response?.outcome?.issue?.[0]?.expression).to.deep.equal(['Bundle.entry[1].resource.subject.reference']);
      expect(await withIdentifier('batch-urn')).to.have.length(1);
    });

    it('resolves conditional references per entry: one match resolves, none 404, several 412', async () => {
      const p = await seed('batch-cref');
      await seed('batch-cref-many');
      await seed('batch-cref-many');
      const out = await submit(
        batch(
          { resource: observation({ subject: { reference: `Patient?identifier=${SYS}|batch-cref` } }), request: { method: 'POST', url: 'Observation' } },
          { resource: observation({ subject: { reference: `Patient?identifier=${SYS}|batch-cref-none` } }), request: { method: 'POST', url: 'Observation' } },
          { resource: observation({ subject: { reference: `Patient?identifier=${SYS}|batch-cref-many` } }), request: { method: 'POST', url: 'Observation' } },
        ),
      );
      expect(out.entry!.map((e) => e.response?.status)).to.deep.equal(['201 Created', '404 Not Found', '412 Precondition Failed']);
      const [, id] = refOf(out.entry![0]!.response?.location).split('/');
      expect(((await repo().readCurrent('Observation', id!))?.content as Observation).subject?.reference).to.equal(`Patient/${p.id}`);
      expect(out.entry![1]!.response?.outcome?.issue?.[0]?.expression).to.deep.equal(['Bundle.entry[1].resource.subject.reference']);
    });
  });

  describe('Bundle-level errors', () => {
    it('refuses a body that is not a Bundle with 400', async () => {
      for (const body of [undefined, null, 'Bundle', [], { resourceType: 'Patient' }, { type: 'batch', entry: [] }]) {
        const err = await rejected(submit(body));
        expect(err.status, JSON.stringify(body)).to.equal(400);
      }
    });

    it('refuses a Bundle that is neither batch nor transaction with 400 at Bundle.type', async () => {
      for (const type of ['collection', 'document', 'transaction-response', 'history', undefined]) {
        const err = await rejected(submit({ resourceType: 'Bundle', type, entry: [] }));
        expect(err.status).to.equal(400);
        expect(err.issues[0]?.expression).to.deep.equal(['Bundle.type']);
      }
    });

    it('refuses Bundle.entry that is not an array with 400', async () => {
      const err = await rejected(submit({ resourceType: 'Bundle', type: 'batch', entry: { request: { method: 'GET', url: 'Patient/1' } } }));
      expect(err.status).to.equal(400);
    });

    it('refuses more entries than allowed with 413, before processing any', async () => {
      const before = await historyTotal();
      const entries = Array.from({ length: 3 }, (_, i) => ({ resource: patient(`too-many-${i}`), request: { method: 'POST' as const, url: 'Patient' } }));
      for (const type of ['batch', 'transaction'] as const) {
        const err = await rejected(submit({ resourceType: 'Bundle', type, entry: entries }, 'minimal', 2));
        expect(err.status).to.equal(413);
      }
      expect(await historyTotal()).to.equal(before);
      expect((await submit(batch(...entries.slice(0, 2)), 'minimal', 2)).entry).to.have.length(2);
    });

    it('refuses a transaction with a null entry with 400, not an internal error', async () => {
      const err = await rejected(submit({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: patient('tx-null'), request: { method: 'POST', url: 'Patient' } }, null] }));
      expect(err.status).to.equal(400);
    });

    it('refuses a transaction with two entries of the same fullUrl with 400', async () => {
      const full = urn();
      const before = await historyTotal();
      const err = await rejected(
        submit({
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            { fullUrl: full, resource: patient('dup-full-1'), request: { method: 'POST', url: 'Patient' } },
            { fullUrl: full, resource: patient('dup-full-2'), request: { method: 'POST', url: 'Patient' } },
            { resource: observation({ subject: { reference: full } }), request: { method: 'POST', url: 'Observation' } },
          ],
        }),
      );
      expect(err.status).to.equal(400);
      expect(await historyTotal()).to.equal(before);
    });

    it('answers an empty batch with an empty batch-response', async () => {
      const out = await submit({ resourceType: 'Bundle', type: 'batch' });
      expect(out.type).to.equal('batch-response');
      expect(out.entry ?? []).to.deep.equal([]);
    });
  });
});

import { randomUUID } from 'node:crypto';
import type { Binary, Bundle, BundleEntry, Patient } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { conditionalWhere } from '../search/conditional';
import type { Repository, StoredVersion } from '../storage/repository';
import { searchIndexRows } from '../search/index-rows';
import { forEachDatabase } from '../storage/test-databases';
import { processBundle } from './index';
import { BASE, SYS, contextOf, patient, rejected as rejectedWith } from '../testing/fixtures';

const transaction = (...entry: BundleEntry[]): Bundle => ({ resourceType: 'Bundle', type: 'transaction', entry });
const jsonPatch = (ops: unknown[], contentType = 'application/json-patch+json'): Binary => ({
  resourceType: 'Binary',
  contentType,
  data: Buffer.from(JSON.stringify(ops)).toString('base64'),
});

const rejected = (p: Promise<unknown>) => rejectedWith(p, 'the transaction');

forEachDatabase('bundles: transaction writes and processing order', (db) => {
  const repo = (): Repository => db.repository();
  const submit = (bundle: Bundle) => processBundle(contextOf(db), bundle, { baseUrl: BASE, prefer: 'minimal', maxEntries: 100, onUnexpected: () => undefined });
  const seed = (value: string, extra: Partial<Patient> = {}): Promise<StoredVersion> => {
    const id = `seed-${randomUUID()}`;
    return repo().write({ resourceType: 'Patient', id, content: patient(value, { id, ...extra }), index: searchIndexRows(patient(value, { id, ...extra })), expectedVersionId: null });
  };
  const current = async (id: string): Promise<StoredVersion> => (await repo().readCurrent('Patient', id)) ?? expect.fail(`Patient/${id} missing`);
  const historyTotal = async (): Promise<number> => (await repo().history({ count: 0 })).total ?? -1;

  describe('processing order (DELETE, POST, PUT/PATCH, GET)', () => {
    it('a GET listed before a PUT sees the resource the PUT creates', async () => {
      const id = `order-${randomUUID()}`;
      const out = await submit(
        transaction(
          { request: { method: 'GET', url: `Patient/${id}` } },
          { resource: patient('order-put', { id }), request: { method: 'PUT', url: `Patient/${id}` } },
        ),
      );
      expect(out.entry![0]!.response?.status).to.equal('200 OK');
      expect((out.entry![0]!.resource as Patient).identifier?.[0]?.value).to.equal('order-put');
      expect(out.entry![1]!.response?.status).to.equal('201 Created');
    });

    it('a GET listed before a PATCH sees the patched version', async () => {
      const p = await seed('order-patch');
      const out = await submit(
        transaction(
          { request: { method: 'GET', url: `Patient/${p.id}` } },
          { resource: jsonPatch([{ op: 'add', path: '/gender', value: 'other' }]), request: { method: 'PATCH', url: `Patient/${p.id}` } },
        ),
      );
      const read = out.entry![0]!.resource as Patient;
      expect(read.meta?.versionId).to.equal('2');
      expect(read.gender).to.equal('other');
      expect(out.entry![0]!.response?.etag).to.equal('W/"2"');
    });

    it('history and vread entries listed before an update see the new version', async () => {
      const p = await seed('order-history');
      const out = await submit(
        transaction(
          { request: { method: 'GET', url: `Patient/${p.id}/_history` } },
          { request: { method: 'GET', url: `Patient/${p.id}/_history/2` } },
          { resource: patient('order-history', { id: p.id, active: true }), request: { method: 'PUT', url: `Patient/${p.id}` } },
        ),
      );
      const history = out.entry![0]!.resource as Bundle;
      expect(history.type).to.equal('history');
      expect(history.entry?.map((e) => e.response?.etag)).to.deep.equal(['W/"2"', 'W/"1"']);
      expect(out.entry![1]!.response?.status).to.equal('200 OK');
      expect((out.entry![1]!.resource as Patient).active).to.equal(true);
    });

    it('a DELETE listed after a POST runs first (the conditional delete sees only the old resource)', async () => {
      const old = await seed('order-del');
      const out = await submit(
        transaction(
          { resource: patient('order-del'), request: { method: 'POST', url: 'Patient' } },
          { request: { method: 'DELETE', url: `Patient?identifier=${SYS}|order-del` } },
        ),
      );
      expect(out.entry!.map((e) => e.response?.status)).to.deep.equal(['201 Created', '204 No Content']);
      expect((await current(old.id)).deleted).to.equal(true);
      const matches = await repo().find('Patient', conditionalWhereIdentifier('order-del'), 10);
      expect(matches).to.have.length(1);
      expect(matches[0]!.id).to.not.equal(old.id);
    });

    it('a DELETE and a POST with the same criteria as ifNoneExist: the delete runs first, so the POST creates', async () => {
      const old = await seed('del-post');
      const out = await submit(
        transaction(
          { resource: patient('del-post', { gender: 'male' }), request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${SYS}|del-post` } },
          { request: { method: 'DELETE', url: `Patient?identifier=${SYS}|del-post` } },
        ),
      );
      expect((await current(old.id)).deleted).to.equal(true);
      expect(out.entry![0]!.response?.status).to.equal('201 Created');
      const matches = await repo().find('Patient', conditionalWhereIdentifier('del-post'), 10);
      expect(matches.map((m) => (m.content as Patient | null)?.gender)).to.deep.equal(['male']);
    });

    it('a GET of a resource deleted in the same Bundle answers 410 and fails the transaction', async () => {
      const p = await seed('order-gone');
      const err = await rejected(
        submit(transaction({ request: { method: 'GET', url: `Patient/${p.id}` } }, { request: { method: 'DELETE', url: `Patient/${p.id}` } })),
      );
      expect(err.status).to.equal(410);
      expect((await current(p.id)).deleted).to.equal(false);
    });
  });

  describe('PUT, DELETE, PATCH', () => {
    it('PUT with a client id creates (201), and updates on the next transaction (200)', async () => {
      const id = `client-${randomUUID()}`;
      const first = await submit(transaction({ resource: patient('put-1', { id }), request: { method: 'PUT', url: `Patient/${id}` } }));
      expect(first.entry![0]!.response).to.deep.include({ status: '201 Created', location: `${BASE}/Patient/${id}/_history/1`, etag: 'W/"1"' });
      const second = await submit(transaction({ resource: patient('put-2', { id }), request: { method: 'PUT', url: `Patient/${id}` } }));
      expect(second.entry![0]!.response).to.deep.include({ status: '200 OK', location: `${BASE}/Patient/${id}/_history/2`, etag: 'W/"2"' });
      const stored = await current(id);
      expect(stored.versionId).to.equal(2);
      expect((stored.content as Patient).identifier?.[0]?.value).to.equal('put-2');
    });

    it('PUT whose body id differs from the URL fails the transaction with 400', async () => {
      const err = await rejected(submit(transaction({ resource: patient('put-mismatch', { id: 'a' }), request: { method: 'PUT', url: 'Patient/b' } })));
      expect(err.status).to.equal(400);
      expect(await repo().readCurrent('Patient', 'b')).to.equal(undefined);
    });

    it('DELETE by id answers 204 and records a deletion version', async () => {
      const p = await seed('delete-1');
      const out = await submit(transaction({ request: { method: 'DELETE', url: `Patient/${p.id}` } }));
      expect(out.entry![0]!.response?.status).to.equal('204 No Content');
      expect(out.entry![0]!.response?.etag).to.equal('W/"2"');
      expect(out.entry![0]!.resource).to.equal(undefined);
      const after = await current(p.id);
      expect(after).to.include({ deleted: true, versionId: 2 });
      expect((await repo().history({ resourceType: 'Patient', id: p.id, count: 10 })).total).to.equal(2);
    });

    it('DELETE of an unknown id answers 404 and fails the transaction', async () => {
      const before = await historyTotal();
      const err = await rejected(
        submit(transaction({ resource: patient('del-404'), request: { method: 'POST', url: 'Patient' } }, { request: { method: 'DELETE', url: `Patient/none-${randomUUID()}` } })),
      );
      expect(err.status).to.equal(404);
      expect(await historyTotal()).to.equal(before);
    });

    it('PATCH applies the JSON Patch held base64-encoded in a Binary', async () => {
      const p = await seed('patch-1', { active: true });
      const out = await submit(
        transaction({
          resource: jsonPatch([
            { op: 'test', path: '/active', value: true },
            { op: 'replace', path: '/active', value: false },
            { op: 'add', path: '/birthDate', value: '1970-01-02' },
          ]),
          request: { method: 'PATCH', url: `Patient/${p.id}` },
        }),
      );
      expect(out.entry![0]!.response).to.deep.include({ status: '200 OK', etag: 'W/"2"', location: `${BASE}/Patient/${p.id}/_history/2` });
      const stored = (await current(p.id)).content as Patient;
      expect(stored).to.deep.include({ active: false, birthDate: '1970-01-02' });
    });

    it('conditional PATCH patches the single match', async () => {
      const p = await seed('patch-cond');
      await submit(transaction({ resource: jsonPatch([{ op: 'add', path: '/gender', value: 'female' }]), request: { method: 'PATCH', url: `Patient?identifier=${SYS}|patch-cond` } }));
      expect(((await current(p.id)).content as Patient).gender).to.equal('female');
    });

    it('PATCH with a Binary of another content type answers 415; with data that is not JSON 400; a failed test op 422', async () => {
      const p = await seed('patch-bad');
      const url = `Patient/${p.id}`;
      expect((await rejected(submit(transaction({ resource: jsonPatch([], 'application/json'), request: { method: 'PATCH', url } })))).status).to.equal(415);
      const notJson: Binary = { resourceType: 'Binary', contentType: 'application/json-patch+json', data: Buffer.from('not json').toString('base64') };
      expect((await rejected(submit(transaction({ resource: notJson, request: { method: 'PATCH', url } })))).status).to.equal(400);
      const failedTest = jsonPatch([{ op: 'test', path: '/active', value: true }]);
      expect((await rejected(submit(transaction({ resource: failedTest, request: { method: 'PATCH', url } })))).status).to.equal(422);
      expect((await current(p.id)).versionId).to.equal(1);
    });

    it('PATCH that makes the resource invalid fails with 400 naming the entry', async () => {
      const p = await seed('patch-invalid');
      const err = await rejected(
        submit(transaction({ request: { method: 'GET', url: `Patient/${p.id}` } }, { resource: jsonPatch([{ op: 'add', path: '/gender', value: 'robot' }]), request: { method: 'PATCH', url: `Patient/${p.id}` } })),
      );
      expect(err.status).to.equal(400);
      expect(err.issues[0]?.expression).to.deep.equal(['Bundle.entry[1].resource.gender']);
    });
  });

  describe('ifMatch', () => {
    it('updates when ifMatch names the current version', async () => {
      const p = await seed('ifmatch-ok');
      const out = await submit(transaction({ resource: patient('ifmatch-ok', { id: p.id, active: true }), request: { method: 'PUT', url: `Patient/${p.id}`, ifMatch: 'W/"1"' } }));
      expect(out.entry![0]!.response?.etag).to.equal('W/"2"');
    });

    it('a stale ifMatch answers 412 and fails the whole transaction', async () => {
      const p = await seed('ifmatch-stale');
      await repo().write({ resourceType: 'Patient', id: p.id, content: patient('ifmatch-stale', { id: p.id, active: true }), index: searchIndexRows(patient('ifmatch-stale', { id: p.id, active: true })), expectedVersionId: 1 });
      const before = await historyTotal();
      const err = await rejected(
        submit(
          transaction(
            { resource: patient('ifmatch-other'), request: { method: 'POST', url: 'Patient' } },
            { resource: patient('ifmatch-stale', { id: p.id, active: false }), request: { method: 'PUT', url: `Patient/${p.id}`, ifMatch: 'W/"1"' } },
          ),
        ),
      );
      expect(err.status).to.equal(412);
      expect(err.issues[0]?.expression).to.deep.equal(['Bundle.entry[1]']);
      expect(await historyTotal()).to.equal(before);
      expect((await current(p.id)).versionId).to.equal(2);
    });

    it('a stale ifMatch on a PATCH answers 412', async () => {
      const p = await seed('ifmatch-patch');
      const err = await rejected(
        submit(transaction({ resource: jsonPatch([{ op: 'add', path: '/active', value: true }]), request: { method: 'PATCH', url: `Patient/${p.id}`, ifMatch: 'W/"7"' } })),
      );
      expect(err.status).to.equal(412);
      expect((await current(p.id)).versionId).to.equal(1);
    });
  });

  describe('entries targeting the same resource', () => {
    const cases: [string, (id: string) => BundleEntry[]][] = [
      ['PUT and DELETE', (id) => [{ resource: patient('same', { id }), request: { method: 'PUT', url: `Patient/${id}` } }, { request: { method: 'DELETE', url: `Patient/${id}` } }]],
      ['two PUTs', (id) => [{ resource: patient('same', { id }), request: { method: 'PUT', url: `Patient/${id}` } }, { resource: patient('same2', { id }), request: { method: 'PUT', url: `Patient/${id}` } }]],
      ['PATCH and DELETE', (id) => [{ resource: jsonPatch([]), request: { method: 'PATCH', url: `Patient/${id}` } }, { request: { method: 'DELETE', url: `Patient/${id}` } }]],
    ];
    for (const [name, entries] of cases) {
      it(`${name} → 400, naming the second entry's request.url, writing nothing`, async () => {
        const p = await seed('same-target');
        const err = await rejected(submit(transaction(...entries(p.id))));
        expect(err.status).to.equal(400);
        expect(err.issues[0]?.expression).to.deep.equal(['Bundle.entry[1].request.url']);
        expect(await current(p.id)).to.deep.equal(p);
      });
    }

    it('a conditional PUT resolving to the id of another PUT → 400', async () => {
      const p = await seed('same-cond-put');
      const err = await rejected(
        submit(
          transaction(
            { resource: patient('same-cond-put', { id: p.id }), request: { method: 'PUT', url: `Patient/${p.id}` } },
            { resource: patient('same-cond-put'), request: { method: 'PUT', url: `Patient?identifier=${SYS}|same-cond-put` } },
          ),
        ),
      );
      expect(err.status).to.equal(400);
    });

    it('a conditional DELETE resolving to the id of a PUT → 400 (identities resolved from conditional deletes overlap)', async () => {
      const p = await seed('same-cond-del');
      const err = await rejected(
        submit(
          transaction(
            { request: { method: 'DELETE', url: `Patient?identifier=${SYS}|same-cond-del` } },
            { resource: patient('same-cond-del', { id: p.id, active: true }), request: { method: 'PUT', url: `Patient/${p.id}` } },
          ),
        ),
      );
      expect(err.status).to.equal(400);
      expect(await current(p.id)).to.deep.equal(p);
    });
  });
});

function conditionalWhereIdentifier(value: string) {
  return conditionalWhere([['identifier', `${SYS}|${value}`]], 'Patient');
}

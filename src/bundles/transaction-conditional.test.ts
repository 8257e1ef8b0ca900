import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Observation, Patient } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { conditionalWhere } from '../search/conditional';
import type { Repository, StoredVersion } from '../storage/repository';
import { searchIndexRows } from '../search/index-rows';
import { forEachDatabase } from '../storage/test-databases';
import { processBundle } from './index';
import { BASE, SYS, contextOf, urn, patient, observation, refOf, rejected as rejectedWith } from '../testing/fixtures';

const transaction = (...entry: BundleEntry[]): Bundle => ({ resourceType: 'Bundle', type: 'transaction', entry });

const rejected = (p: Promise<unknown>) => rejectedWith(p, 'the transaction');

forEachDatabase('bundles: transaction conditionals', (db) => {
  const repo = (): Repository => db.repository();
  const submit = (bundle: Bundle) => processBundle(contextOf(db), bundle, { baseUrl: BASE, prefer: 'minimal', maxEntries: 100, onUnexpected: () => undefined });
  const seed = (value: string, extra: Partial<Patient> = {}): Promise<StoredVersion> => {
    const id = `seed-${randomUUID()}`;
    return repo().write({ resourceType: 'Patient', id, content: patient(value, { id, ...extra }), index: searchIndexRows(patient(value, { id, ...extra })), expectedVersionId: null });
  };
  const withIdentifier = (value: string) => repo().find('Patient', conditionalWhere([['identifier', `${SYS}|${value}`]], 'Patient'), 10);
  const obsAt = async (location: string | undefined): Promise<Observation> => {
    const [, id] = refOf(location).split('/');
    return ((await repo().readCurrent('Observation', id!))?.content as Observation) ?? expect.fail('Observation not stored');
  };
  const historyTotal = async (): Promise<number> => (await repo().history({ count: 0 })).total ?? -1;

  describe('conditional references', () => {
    it('resolves Patient?identifier=sys|val to the single match, in every entry that uses it', async () => {
      const p = await seed('cref-1');
      const out = await submit(
        transaction(
          { resource: observation({ subject: { reference: `Patient?identifier=${SYS}|cref-1` } }), request: { method: 'POST', url: 'Observation' } },
          { resource: observation({ performer: [{ reference: `Patient?identifier=${SYS}|cref-1` }] }), request: { method: 'POST', url: 'Observation' } },
        ),
      );
      expect((await obsAt(out.entry![0]!.response?.location)).subject?.reference).to.equal(`Patient/${p.id}`);
      expect((await obsAt(out.entry![1]!.response?.location)).performer?.[0]?.reference).to.equal(`Patient/${p.id}`);
    });

    it('resolves percent-encoded criteria and criteria naming _id', async () => {
      const p = await seed('cref-enc');
      const out = await submit(
        transaction(
          { resource: observation({ subject: { reference: `Patient?identifier=${encodeURIComponent(`${SYS}|cref-enc`)}` } }), request: { method: 'POST', url: 'Observation' } },
          { resource: observation({ subject: { reference: `Patient?_id=${p.id}` } }), request: { method: 'POST', url: 'Observation' } },
        ),
      );
      for (const e of out.entry!) expect((await obsAt(e.response?.location)).subject?.reference).to.equal(`Patient/${p.id}`);
    });

    it('answers 404 with the reference path when nothing matches, storing nothing', async () => {
      const before = await historyTotal();
      const err = await rejected(
        submit(
          transaction(
            { resource: patient('cref-none-other'), request: { method: 'POST', url: 'Patient' } },
            { resource: observation({ subject: { reference: `Patient?identifier=${SYS}|cref-none` } }), request: { method: 'POST', url: 'Observation' } },
          ),
        ),
      );
      expect(err.status).to.equal(404);
      expect(err.issues[0]?.expression).to.deep.equal(['Bundle.entry[1].resource.subject.reference']);
      expect(await historyTotal()).to.equal(before);
    });

    it('answers 412 when several resources match', async () => {
      await seed('cref-many');
      await seed('cref-many');
      const err = await rejected(
        submit(transaction({ resource: observation({ subject: { reference: `Patient?identifier=${SYS}|cref-many` } }), request: { method: 'POST', url: 'Observation' } })),
      );
      expect(err.status).to.equal(412);
      expect(err.issues[0]?.expression).to.deep.equal(['Bundle.entry[0].resource.subject.reference']);
    });
  });

  describe('ifNoneExist (conditional create)', () => {
    it('answers 200 with the existing match, writes nothing, and points references to its fullUrl at the match', async () => {
      const p = await seed('ine-existing');
      const full = urn();
      const before = await historyTotal();
      const out = await submit(
        transaction(
          { fullUrl: full, resource: patient('ine-existing', { gender: 'male' }), request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${SYS}|ine-existing` } },
          { resource: observation({ subject: { reference: full } }), request: { method: 'POST', url: 'Observation' } },
        ),
      );
      expect(out.entry![0]!.response).to.deep.include({ status: '200 OK', location: `${BASE}/Patient/${p.id}/_history/1`, etag: 'W/"1"' });
      expect(await historyTotal()).to.equal(before + 1);
      expect(await repo().readCurrent('Patient', p.id)).to.deep.equal(p);
      expect((await obsAt(out.entry![1]!.response?.location)).subject?.reference).to.equal(`Patient/${p.id}`);
    });

    it('creates when nothing matches (201)', async () => {
      const out = await submit(transaction({ resource: patient('ine-new'), request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${SYS}|ine-new` } }));
      expect(out.entry![0]!.response?.status).to.equal('201 Created');
      expect((await withIdentifier('ine-new')).map((m) => `Patient/${m.id}`)).to.deep.equal([refOf(out.entry![0]!.response?.location)]);
    });

    it('two entries with the same ifNoneExist create ONE resource; both entries and references to both fullUrls point at it', async () => {
      const [a, b] = [urn(), urn()];
      const out = await submit(
        transaction(
          { fullUrl: a, resource: patient('ine-twice'), request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${SYS}|ine-twice` } },
          { resource: observation({ subject: { reference: a }, performer: [{ reference: b }] }), request: { method: 'POST', url: 'Observation' } },
          { fullUrl: b, resource: patient('ine-twice'), request: { method: 'POST', url: 'Patient', ifNoneExist: `Patient?identifier=${SYS}|ine-twice` } },
        ),
      );
      const stored = await withIdentifier('ine-twice');
      expect(stored).to.have.length(1);
      const ref = `Patient/${stored[0]!.id}`;
      expect(out.entry![0]!.response?.status).to.equal('201 Created');
      expect(out.entry![2]!.response?.status).to.equal('200 OK');
      expect(refOf(out.entry![0]!.response?.location)).to.equal(ref);
      expect(refOf(out.entry![2]!.response?.location)).to.equal(ref);
      const obs = await obsAt(out.entry![1]!.response?.location);
      expect(obs.subject?.reference).to.equal(ref);
      expect(obs.performer?.[0]?.reference).to.equal(ref);
    });

    it('two entries with the same ifNoneExist and an existing match both answer the match', async () => {
      const p = await seed('ine-twice-existing');
      const out = await submit(
        transaction(
          { resource: patient('ine-twice-existing'), request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${SYS}|ine-twice-existing` } },
          { resource: patient('ine-twice-existing'), request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${SYS}|ine-twice-existing` } },
        ),
      );
      expect(out.entry!.map((e) => e.response?.location)).to.deep.equal([`${BASE}/Patient/${p.id}/_history/1`, `${BASE}/Patient/${p.id}/_history/1`]);
      expect(await withIdentifier('ine-twice-existing')).to.have.length(1);
    });

    it('answers 412 when ifNoneExist matches several resources, writing nothing', async () => {
      await seed('ine-many');
      await seed('ine-many');
      const before = await historyTotal();
      const err = await rejected(
        submit(
          transaction(
            { resource: observation(), request: { method: 'POST', url: 'Observation' } },
            { resource: patient('ine-many'), request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${SYS}|ine-many` } },
          ),
        ),
      );
      expect(err.status).to.equal(412);
      expect(await historyTotal()).to.equal(before);
    });

    it('refuses ifNoneExist criteria it cannot evaluate with 400', async () => {
      const err = await rejected(submit(transaction({ resource: patient('ine-name'), request: { method: 'POST', url: 'Patient', ifNoneExist: 'not-a-parameter=Smith' } })));
      expect(err.status).to.equal(400);
    });

    it('evaluates ifNoneExist criteria of any search parameter (name, birthdate)', async () => {
      const p = await seed('ine-any', { name: [{ family: 'Ineany' }], birthDate: '1961-02-03' });
      const out = await submit(transaction({ resource: patient('ine-any-2'), request: { method: 'POST', url: 'Patient', ifNoneExist: 'name=ineany&birthdate=1961' } }));
      expect(out.entry![0]!.response).to.deep.include({ status: '200 OK', location: `${BASE}/Patient/${p.id}/_history/1` });
    });
  });

  describe('conditional update and delete', () => {
    it('conditional PUT without a match creates (201) with a server id, and references to its fullUrl point at it', async () => {
      const full = urn();
      const out = await submit(
        transaction(
          { fullUrl: full, resource: patient('cput-new'), request: { method: 'PUT', url: `Patient?identifier=${SYS}|cput-new` } },
          { resource: observation({ subject: { reference: full } }), request: { method: 'POST', url: 'Observation' } },
        ),
      );
      expect(out.entry![0]!.response?.status).to.equal('201 Created');
      const stored = await withIdentifier('cput-new');
      expect(stored).to.have.length(1);
      expect(refOf(out.entry![0]!.response?.location)).to.equal(`Patient/${stored[0]!.id}`);
      expect((await obsAt(out.entry![1]!.response?.location)).subject?.reference).to.equal(`Patient/${stored[0]!.id}`);
    });

    it('conditional PUT with one match updates it (200)', async () => {
      const p = await seed('cput-one');
      const out = await submit(transaction({ resource: patient('cput-one', { active: true }), request: { method: 'PUT', url: `Patient?identifier=${SYS}|cput-one` } }));
      expect(out.entry![0]!.response).to.deep.include({ status: '200 OK', location: `${BASE}/Patient/${p.id}/_history/2` });
      expect(((await repo().readCurrent('Patient', p.id))?.content as Patient).active).to.equal(true);
    });

    it('conditional PUT whose body id differs from the single match answers 400 (http.html#cond-update)', async () => {
      const p = await seed('cput-other-id');
      const err = await rejected(
        submit(transaction({ resource: patient('cput-other-id', { id: `other-${randomUUID()}`, active: true }), request: { method: 'PUT', url: `Patient?identifier=${SYS}|cput-other-id` } })),
      );
      expect(err.status).to.equal(400);
      expect(await repo().readCurrent('Patient', p.id)).to.deep.equal(p);
    });

    it('conditional PUT with several matches answers 412', async () => {
      await seed('cput-many');
      await seed('cput-many');
      const err = await rejected(submit(transaction({ resource: patient('cput-many'), request: { method: 'PUT', url: `Patient?identifier=${SYS}|cput-many` } })));
      expect(err.status).to.equal(412);
      expect(await withIdentifier('cput-many')).to.have.length(2);
    });

    it('conditional DELETE deletes the match; without a match it succeeds and deletes nothing', async () => {
      const p = await seed('cdel-one');
      const out = await submit(
        transaction(
          { request: { method: 'DELETE', url: `Patient?identifier=${SYS}|cdel-one` } },
          { request: { method: 'DELETE', url: `Patient?identifier=${SYS}|cdel-none` } },
        ),
      );
      expect(out.entry!.map((e) => e.response?.status)).to.deep.equal(['204 No Content', '204 No Content']);
      expect((await repo().readCurrent('Patient', p.id))?.deleted).to.equal(true);
    });

    it('conditional DELETE with several matches answers 412 and deletes nothing', async () => {
      const [a, b] = [await seed('cdel-many'), await seed('cdel-many')];
      const err = await rejected(submit(transaction({ request: { method: 'DELETE', url: `Patient?identifier=${SYS}|cdel-many` } })));
      expect(err.status).to.equal(412);
      expect((await repo().readCurrent('Patient', a.id))?.deleted).to.equal(false);
      expect((await repo().readCurrent('Patient', b.id))?.deleted).to.equal(false);
    });

    it('DELETE of a type without criteria is refused, not a delete of everything', async () => {
      const p = await seed('cdel-all');
      const err = await rejected(submit(transaction({ request: { method: 'DELETE', url: 'Patient' } })));
      expect(err.status).to.equal(400);
      expect((await repo().readCurrent('Patient', p.id))?.deleted).to.equal(false);
    });
  });
});

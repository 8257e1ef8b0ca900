import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Observation, Patient, Practitioner } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { conditionalWhere } from '../search/conditional';
import type { Repository } from '../storage/repository';
import { searchIndexRows } from '../search/index-rows';
import { forEachDatabase } from '../storage/test-databases';
import { processBundle } from './index';
import type { ReturnPreference } from './entry';
import { BASE, SYS, contextOf, urn, patient, observation, refOf, rejected as rejectedWith } from '../testing/fixtures';

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** A stored resource, read as whichever of Observation or Patient a test needs. */
type Stored = Omit<Observation, 'resourceType'> & Omit<Patient, 'resourceType'> & { resourceType: string };

const transaction = (...entry: BundleEntry[]): Bundle => ({ resourceType: 'Bundle', type: 'transaction', entry });

const rejected = (p: Promise<unknown>) => rejectedWith(p, 'the transaction');

forEachDatabase('bundles: transaction', (db) => {
  const repo = (): Repository => db.repository();
  const submit = (bundle: Bundle, prefer: ReturnPreference = 'minimal') =>
    processBundle(contextOf(db), bundle, { baseUrl: BASE, prefer, maxEntries: 100, onUnexpected: () => undefined });
  const stored = async (ref: string) => {
    const [type, id] = ref.split('/') as [string, string];
    const v = await repo().readCurrent(type, id);
    if (!v?.content) return expect.fail(`${ref} is not stored`);
    return v.content as unknown as Stored;
  };
  const historyTotal = async (): Promise<number> => (await repo().history({ count: 0 })).total ?? -1;

  describe('response Bundle', () => {
    it('answers transaction-response with one entry per request entry, in request order, with status, location, etag and lastModified', async () => {
      const id = `t-${randomUUID()}`;
      const out = await submit(
        transaction(
          { request: { method: 'GET', url: `Patient/${id}` } },
          { fullUrl: urn(), resource: patient('resp-1'), request: { method: 'POST', url: 'Patient' } },
          { resource: patient('resp-2', { id }), request: { method: 'PUT', url: `Patient/${id}` } },
        ),
      );
      expect(out.resourceType).to.equal('Bundle');
      expect(out.type).to.equal('transaction-response');
      expect(out.entry).to.have.length(3);
      const [get, post, put] = out.entry!;
      expect(get?.response?.status).to.equal('200 OK');
      expect((get?.resource as Patient).id).to.equal(id);
      expect(post?.response?.status).to.equal('201 Created');
      expect(post?.response?.location).to.match(new RegExp(`^${BASE}/Patient/[^/]+/_history/1$`));
      expect(post?.response?.etag).to.equal('W/"1"');
      expect(post?.response?.lastModified).to.match(ISO_MS);
      expect(post?.resource).to.equal(undefined);
      expect(put?.response).to.deep.include({ status: '201 Created', location: `${BASE}/Patient/${id}/_history/1`, etag: 'W/"1"' });
      const current = await repo().readCurrent('Patient', id);
      expect(put?.response?.lastModified).to.equal(current?.lastUpdated);
      expect(put?.resource).to.equal(undefined);
    });

    it('includes the stored resources with return=representation', async () => {
      const out = await submit(transaction({ fullUrl: urn(), resource: patient('repr-1'), request: { method: 'POST', url: 'Patient' } }), 'representation');
      const resource = out.entry![0]!.resource as Patient;
      expect(`Patient/${resource.id}`).to.equal(refOf(out.entry![0]!.response?.location));
      expect(resource.meta?.versionId).to.equal('1');
      expect(resource.identifier?.[0]?.value).to.equal('repr-1');
      expect(await stored(`Patient/${resource.id}`)).to.deep.equal(resource);
    });

    it('gives each write entry an OperationOutcome with return=OperationOutcome', async () => {
      const out = await submit(transaction({ resource: patient('oo-1'), request: { method: 'POST', url: 'Patient' } }), 'OperationOutcome');
      expect(out.entry![0]!.resource).to.equal(undefined);
      expect(out.entry![0]!.response?.outcome?.resourceType).to.equal('OperationOutcome');
    });

    it('answers an empty transaction with an empty transaction-response', async () => {
      const out = await submit(transaction());
      expect(out.type).to.equal('transaction-response');
      expect(out.entry ?? []).to.deep.equal([]);
    });
  });

  describe('references to entry fullUrls', () => {
    it('rewrites urn:uuid references everywhere in the stored resources: arrays, extensions, contained resources, narrative', async () => {
      const [p, pr] = [urn(), urn()];
      const div = `<div xmlns="http://www.w3.org/1999/xhtml">About <a href="${p}">the patient</a></div>`;
      const out = await submit(
        transaction(
          {
            fullUrl: urn(),
            resource: observation({
              text: { status: 'generated', div },
              subject: { reference: p },
              performer: [{ reference: pr }, { reference: p }],
              extension: [{ url: 'http://example.org/ext', valueReference: { reference: pr } }],
              contained: [{ resourceType: 'Specimen', id: 'sp', subject: { reference: p } }],
              specimen: { reference: '#sp' },
            }),
            request: { method: 'POST', url: 'Observation' },
          },
          { fullUrl: p, resource: patient('refs-1', { generalPractitioner: [{ reference: pr }] }), request: { method: 'POST', url: 'Patient' } },
          { fullUrl: pr, resource: { resourceType: 'Practitioner', name: [{ family: 'Doe' }] } as Practitioner, request: { method: 'POST', url: 'Practitioner' } },
        ),
      );
      const [obsRef, patientRef, practitionerRef] = out.entry!.map((e) => refOf(e.response?.location));
      expect(practitionerRef).to.match(/^Practitioner\//);
      const obs = await stored(obsRef!);
      expect(obs.subject?.reference).to.equal(patientRef);
      expect(obs.performer?.map((r) => r.reference)).to.deep.equal([practitionerRef, patientRef]);
      expect(obs.extension?.[0]?.valueReference?.reference).to.equal(practitionerRef);
      expect((obs.contained?.[0] as { subject?: { reference?: string } }).subject?.reference).to.equal(patientRef);
      expect(obs.specimen?.reference).to.equal('#sp');
      expect(obs.text?.div).to.equal(`<div xmlns="http://www.w3.org/1999/xhtml">About <a href="${patientRef}">the patient</a></div>`);
      expect((await stored(patientRef!)).generalPractitioner?.[0]?.reference).to.equal(practitionerRef);
      for (const ref of [obsRef!, patientRef!, practitionerRef!]) expect(JSON.stringify(await stored(ref))).to.not.contain('urn:uuid:');
    });

    it('resolves circular references between created resources', async () => {
      const [a, b] = [urn(), urn()];
      const out = await submit(
        transaction(
          { fullUrl: a, resource: patient('circ-a', { link: [{ other: { reference: b }, type: 'seealso' }] }), request: { method: 'POST', url: 'Patient' } },
          { fullUrl: b, resource: patient('circ-b', { link: [{ other: { reference: a }, type: 'seealso' }] }), request: { method: 'POST', url: 'Patient' } },
        ),
      );
      const [refA, refB] = out.entry!.map((e) => refOf(e.response?.location));
      expect(refA).to.not.equal(refB);
      expect((await stored(refA!)).link?.[0]?.other.reference).to.equal(refB);
      expect((await stored(refB!)).link?.[0]?.other.reference).to.equal(refA);
    });

    it('rewrites references to urn:oid fullUrls', async () => {
      const oid = 'urn:oid:2.16.840.1.113883.19.5.1';
      const out = await submit(
        transaction(
          { fullUrl: oid, resource: { resourceType: 'Organization', name: 'Acme' }, request: { method: 'POST', url: 'Organization' } },
          { resource: patient('oid-1', { managingOrganization: { reference: oid } }), request: { method: 'POST', url: 'Patient' } },
        ),
      );
      const [orgRef, patientRef] = out.entry!.map((e) => refOf(e.response?.location));
      expect(orgRef).to.match(/^Organization\//);
      expect((await stored(patientRef!)).managingOrganization?.reference).to.equal(orgRef);
    });

    it('rewrites references to an absolute fullUrl and assigns a new id to the POSTed resource', async () => {
      const full = 'http://other.example.org/fhir/Patient/77';
      const out = await submit(
        transaction(
          { fullUrl: full, resource: patient('abs-1', { id: '77' }), request: { method: 'POST', url: 'Patient' } },
          { resource: observation({ subject: { reference: full } }), request: { method: 'POST', url: 'Observation' } },
        ),
      );
      const [patientRef, obsRef] = out.entry!.map((e) => refOf(e.response?.location));
      expect(patientRef).to.not.equal('Patient/77');
      expect((await stored(obsRef!)).subject?.reference).to.equal(patientRef);
    });

    it('rewrites references to the fullUrl of a PUT entry to its Type/id', async () => {
      const [full, id] = [urn(), `put-${randomUUID()}`];
      const out = await submit(
        transaction(
          { resource: observation({ subject: { reference: full } }), request: { method: 'POST', url: 'Observation' } },
          { fullUrl: full, resource: patient('put-ref', { id }), request: { method: 'PUT', url: `Patient/${id}` } },
        ),
      );
      expect((await stored(refOf(out.entry![0]!.response?.location))).subject?.reference).to.equal(`Patient/${id}`);
    });

    it('resolves a relative reference against the absolute fullUrl of its entry (bundle.html#references)', async () => {
      const out = await submit(
        transaction(
          { fullUrl: 'http://other.example.org/fhir/Patient/88', resource: patient('rel-1', { id: '88' }), request: { method: 'POST', url: 'Patient' } },
          {
            fullUrl: 'http://other.example.org/fhir/Observation/5',
            resource: observation({ id: '5', subject: { reference: 'Patient/88' } }),
            request: { method: 'POST', url: 'Observation' },
          },
        ),
      );
      const [patientRef, obsRef] = out.entry!.map((e) => refOf(e.response?.location));
      expect((await stored(obsRef!)).subject?.reference).to.equal(patientRef);
    });

    it('refuses a urn reference naming no entry with 400 and the path of the reference, storing nothing', async () => {
      const before = await historyTotal();
      const err = await rejected(
        submit(
          transaction(
            { fullUrl: urn(), resource: patient('dangling-1'), request: { method: 'POST', url: 'Patient' } },
            { resource: observation({ performer: [{ reference: `urn:uuid:${randomUUID()}` }] }), request: { method: 'POST', url: 'Observation' } },
          ),
        ),
      );
      expect(err.status).to.equal(400);
      expect(err.issues[0]?.expression).to.deep.equal(['Bundle.entry[1].resource.performer[0].reference']);
      expect(await historyTotal()).to.equal(before);
    });
  });

  describe('atomicity and entry errors', () => {
    it('leaves nothing behind when the last entry fails: no current rows and no history rows for any entry', async () => {
      const kept = await repo().write({ resourceType: 'Patient', id: `keep-${randomUUID()}`, content: patient('atom-kept'), index: searchIndexRows(patient('atom-kept')), expectedVersionId: null });
      const doomed = await repo().write({ resourceType: 'Patient', id: `doomed-${randomUUID()}`, content: patient('atom-doomed'), index: searchIndexRows(patient('atom-doomed')), expectedVersionId: null });
      const [clientId, p] = [`atom-${randomUUID()}`, urn()];
      const before = await historyTotal();
      const err = await rejected(
        submit(
          transaction(
            { fullUrl: p, resource: patient('atom-new'), request: { method: 'POST', url: 'Patient' } },
            { resource: patient('atom-put', { id: clientId }), request: { method: 'PUT', url: `Patient/${clientId}` } },
            { resource: patient('atom-kept', { id: kept.id, gender: 'female' }), request: { method: 'PUT', url: `Patient/${kept.id}` } },
            { resource: observation({ subject: { reference: p } }), request: { method: 'POST', url: 'Observation' } },
            { request: { method: 'DELETE', url: `Patient/${doomed.id}` } },
            { resource: { resourceType: 'Patient', gender: 'not-a-gender' } as unknown as Patient, request: { method: 'POST', url: 'Patient' } },
          ),
        ),
      );
      expect(err.status).to.equal(400);
      expect(await historyTotal()).to.equal(before);
      expect(await repo().find('Patient', conditionalWhere([['identifier', `${SYS}|atom-new`]], 'Patient'), 10)).to.deep.equal([]);
      expect(await repo().readCurrent('Patient', clientId)).to.equal(undefined);
      expect((await repo().history({ resourceType: 'Patient', id: clientId, count: 10 })).entries).to.deep.equal([]);
      expect(await repo().readCurrent('Patient', kept.id)).to.deep.equal(kept);
      expect((await repo().history({ resourceType: 'Patient', id: kept.id, count: 10 })).total).to.equal(1);
      expect(await repo().readCurrent('Patient', doomed.id)).to.deep.equal(doomed);
    });

    it('names Bundle.entry[3] when entry 3 holds an invalid resource, with expressions into the entry', async () => {
      const err = await rejected(
        submit(
          transaction(
            { resource: patient('inv-0'), request: { method: 'POST', url: 'Patient' } },
            { resource: patient('inv-1'), request: { method: 'POST', url: 'Patient' } },
            { resource: patient('inv-2'), request: { method: 'POST', url: 'Patient' } },
            { resource: patient('inv-3', { gender: 'robot', name: [{ given: [42] }] } as unknown as Patient), request: { method: 'POST', url: 'Patient' } },
          ),
        ),
      );
      expect(err.status).to.equal(400);
      const expressions = err.issues.flatMap((i) => i.expression ?? []);
      expect(expressions).to.have.members(['Bundle.entry[3].resource.gender', 'Bundle.entry[3].resource.name[0].given[0]']);
      for (const issue of err.issues) expect(issue.diagnostics).to.match(/^Bundle\.entry\[3\]/);
      expect(await repo().find('Patient', conditionalWhere([['identifier', `${SYS}|inv-0`]], 'Patient'), 10)).to.deep.equal([]);
    });

    it('points into the entry when the invalid resource in entry 1 is itself a Bundle', async () => {
      const err = await rejected(
        submit(
          transaction(
            { resource: patient('nested-0'), request: { method: 'POST', url: 'Patient' } },
            { resource: { resourceType: 'Bundle', type: 'bogus' } as unknown as Bundle, request: { method: 'POST', url: 'Bundle' } },
          ),
        ),
      );
      expect(err.status).to.equal(400);
      expect(err.issues[0]?.expression).to.deep.equal(['Bundle.entry[1].resource.type']);
    });

    it('names the entry of a failing interaction that has no expression of its own', async () => {
      const err = await rejected(
        submit(
          transaction(
            { resource: patient('nf-0'), request: { method: 'POST', url: 'Patient' } },
            { request: { method: 'GET', url: `Patient/missing-${randomUUID()}` } },
          ),
        ),
      );
      expect(err.status).to.equal(404);
      expect(err.issues[0]?.expression).to.deep.equal(['Bundle.entry[1]']);
      expect(err.issues[0]?.diagnostics).to.match(/^Bundle\.entry\[1\]: /);
    });

    it('refuses an entry without request before writing anything', async () => {
      const before = await historyTotal();
      const err = await rejected(submit(transaction({ resource: patient('noreq-0'), request: { method: 'POST', url: 'Patient' } }, { resource: patient('noreq-1') })));
      expect(err.status).to.equal(400);
      expect(err.issues[0]?.expression).to.deep.equal(['Bundle.entry[1].request']);
      expect(await historyTotal()).to.equal(before);
    });

    it('refuses a POST entry whose URL names an id', async () => {
      const err = await rejected(submit(transaction({ resource: patient('postid'), request: { method: 'POST', url: 'Patient/abc' } })));
      expect(err.status).to.equal(400);
      expect(err.issues[0]?.expression).to.deep.equal(['Bundle.entry[0]']);
    });

    it('refuses an entry of an unknown resource type with 404', async () => {
      const err = await rejected(submit(transaction({ resource: { resourceType: 'Nonsense' } as unknown as Patient, request: { method: 'POST', url: 'Nonsense' } })));
      expect(err.status).to.equal(404);
    });
  });
});

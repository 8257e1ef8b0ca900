import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { sharedDataPath } from '../src/testing/shared-data';
import { errorExpressions, expectOutcome, expectRawOutcome, responseOf, unique, withServer, type ServerContext } from './harness';

const urn = (): string => `urn:uuid:${randomUUID()}`;
const patient = (extra: Record<string, unknown> = {}): any => ({ resourceType: 'Patient', gender: 'female', ...extra });
const observation = (reference?: string, extra: Record<string, unknown> = {}): any =>
  ({ resourceType: 'Observation', status: 'final', code: { text: 'weight' }, ...(reference ? { subject: { reference } } : {}), ...extra });
const bundle = (type: string, entry: any[]): any => ({ resourceType: 'Bundle', type, entry });
const post = (resource: any, fullUrl?: string): any => ({ ...(fullUrl ? { fullUrl } : {}), resource, request: { method: 'POST', url: resource.resourceType } });

/** Versions stored on the whole server, from the system history total. */
async function versions(ctx: ServerContext): Promise<number> {
  const res = await ctx.http('GET', '_history?_count=1');
  expect(res.status, res.text).to.equal(200);
  expect(res.json.total, 'system history total').to.be.a('number');
  return res.json.total;
}

/** `Type/id` of a response location `…/Type/id/_history/n`. */
function refOf(location: string): string {
  const m = /\/([A-Za-z]+\/[A-Za-z0-9\-.]+)\/_history\/\d+$/.exec(location);
  if (!m) return expect.fail(`not a version location: ${location}`);
  return m[1]!;
}

/** The smallest Synthea patient transaction of the sample folder. */
function smallestSyntheaPatient(): any {
  const dir = sharedDataPath('synthea-r4', 'smart-on-fhir-generated-sample-data', 'sample');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && !/Information\d*\.json$/.test(f));
  files.sort((a, b) => statSync(join(dir, a)).size - statSync(join(dir, b)).size);
  expect(files.length, `patient bundles in ${dir}`).to.be.greaterThan(0);
  return JSON.parse(readFileSync(join(dir, files[0]!), 'utf8'));
}

withServer('conformance: batch and transaction Bundles', (ctx) => {
  describe('transaction', () => {
    it('answers 200 with a transaction-response: urn:uuid references rewritten, per-entry status, location and etag', async () => {
      const p = urn();
      const id = unique('tx');
      const body = bundle('transaction', [
        post(observation(p)),
        post(patient({ identifier: [{ system: 'http://example.org/ids', value: id }] }), p),
        { resource: patient({ id }), request: { method: 'PUT', url: `Patient/${id}` } },
      ]);
      const result: any = await ctx.client().transaction({ body });
      expect(responseOf(result).status).to.equal(200);
      expect(result.resourceType).to.equal('Bundle');
      expect(result.type).to.equal('transaction-response');
      expect(result.entry).to.have.length(3);
      for (const e of result.entry) {
        expect(e.response.status).to.match(/^201\b/);
        expect(e.response.location).to.match(new RegExp(`^${ctx.url()}/(Patient|Observation)/[A-Za-z0-9\\-.]+/_history/1$`));
        expect(e.response.etag).to.equal('W/"1"');
        expect(Date.parse(e.response.lastModified)).to.not.be.NaN;
      }
      expect(refOf(result.entry[2].response.location)).to.equal(`Patient/${id}`);
      const patientRef = refOf(result.entry[1].response.location);
      const [type, oid] = refOf(result.entry[0].response.location).split('/');
      const stored: any = await ctx.client().read({ resourceType: type!, id: oid! });
      expect(stored.subject.reference).to.equal(patientRef);
    });

    it('fails as a whole with a 4xx OperationOutcome naming the entry, storing nothing', async () => {
      const before = await versions(ctx);
      const id = unique('tx-fail');
      const body = bundle('transaction', [
        { resource: patient({ id }), request: { method: 'PUT', url: `Patient/${id}` } },
        post(observation(undefined, { status: 'not-a-status' })),
      ]);
      const outcome = await expectOutcome(ctx.client().transaction({ body }), 400);
      expect(errorExpressions(outcome).some((x) => x.startsWith('Bundle.entry[1]')), JSON.stringify(outcome)).to.equal(true);
      expect(await versions(ctx)).to.equal(before);
      await expectOutcome(ctx.client().read({ resourceType: 'Patient', id }), 404);
    });

    it('includes the resources with Prefer: return=representation, and leaves them out with return=minimal', async () => {
      const body = bundle('transaction', [post(patient({ gender: 'other' }))]);
      const full = await ctx.http('POST', ctx.url(), { body, headers: { Prefer: 'return=representation' } });
      expect(full.status, full.text).to.equal(200);
      const entry = full.json.entry[0];
      expect(entry.resource.resourceType).to.equal('Patient');
      expect(entry.resource.gender).to.equal('other');
      expect(entry.resource.meta.versionId).to.equal('1');
      expect(refOf(entry.response.location)).to.equal(`Patient/${entry.resource.id}`);
      const minimal = await ctx.http('POST', ctx.url(), { body, headers: { Prefer: 'return=minimal' } });
      expect(minimal.status, minimal.text).to.equal(200);
      expect(minimal.json.entry[0].resource).to.equal(undefined);
      expect(minimal.json.entry[0].response.status).to.match(/^201\b/);
    });

    it('refuses a dangling reference with 422 naming the entry', async () => {
      const before = await versions(ctx);
      const body = bundle('transaction', [post(patient()), post(observation('Patient/no-such-patient'))]);
      const outcome = await expectOutcome(ctx.client().transaction({ body }), 422);
      expect(errorExpressions(outcome)).to.deep.equal(['Bundle.entry[1].resource.subject.reference']);
      expect(await versions(ctx)).to.equal(before);
    });
  });

  describe('batch', () => {
    it('answers 200 with a batch-response holding each entry’s own status', async () => {
      const id = unique('batch');
      const body = bundle('batch', [
        post(patient()),
        post(observation(undefined, { status: 'not-a-status' })),
        { request: { method: 'GET', url: 'Patient/does-not-exist' } },
        { resource: patient({ id }), request: { method: 'PUT', url: `Patient/${id}` } },
        post(observation('Patient/no-such-patient')),
      ]);
      const result: any = await ctx.client().batch({ body });
      expect(responseOf(result).status).to.equal(200);
      expect(result.type).to.equal('batch-response');
      expect(result.entry.map((e: any) => e.response.status.split(' ')[0])).to.deep.equal(['201', '400', '404', '201', '422']);
      for (const i of [1, 2, 4]) expect(result.entry[i].response.outcome.resourceType).to.equal('OperationOutcome');
      expect(JSON.stringify(result.entry[1].response.outcome)).to.contain('Observation.status');
      const created: any = await ctx.client().read({ resourceType: 'Patient', id: refOf(result.entry[0].response.location).split('/')[1]! });
      expect(created.gender).to.equal('female');
      expect(((await ctx.client().read({ resourceType: 'Patient', id })) as any).id).to.equal(id);
    });
  });

  describe('refused Bundles', () => {
    it('refuses a Bundle type other than batch or transaction with 400', async () => {
      for (const type of ['collection', 'document', 'searchset', 'batch-response']) {
        const res = await ctx.http('POST', ctx.url(), { body: bundle(type, [post(patient())]) });
        expect(errorExpressions(expectRawOutcome(res, 400)), type).to.include('Bundle.type');
      }
      expectRawOutcome(await ctx.http('POST', ctx.url(), { body: patient() }), 400);
    });

    it('refuses a body that is not JSON with 415', async () => {
      const before = await versions(ctx);
      const xml = '<Bundle xmlns="http://hl7.org/fhir"><type value="transaction"/></Bundle>';
      for (const type of ['application/fhir+xml', 'application/xml', 'text/plain']) {
        expectRawOutcome(await ctx.http('POST', ctx.url(), { body: xml, headers: { 'Content-Type': type } }), 415);
      }
      const json = JSON.stringify(bundle('transaction', [post(patient())]));
      expectRawOutcome(await ctx.http('POST', ctx.url(), { body: json, headers: { 'Content-Type': 'text/plain' } }), 415);
      expect(await versions(ctx)).to.equal(before);
    });
  });

  describe('referential integrity', () => {
    it('refuses a create with a dangling reference with 422', async () => {
      const outcome = await expectOutcome(ctx.client().create({ resourceType: 'Observation', body: observation('Patient/no-such-patient') }), 422);
      expect(errorExpressions(outcome)).to.deep.equal(['Observation.subject.reference']);
    });

    it('accepts an absolute reference under the server base', async () => {
      const p: any = await ctx.client().create({ resourceType: 'Patient', body: patient() });
      const o: any = await ctx.client().create({ resourceType: 'Observation', body: observation(`${ctx.url()}/Patient/${p.id}`) });
      expect(responseOf(o).status).to.equal(201);
      await expectOutcome(ctx.client().create({ resourceType: 'Observation', body: observation(`${ctx.url()}/Patient/missing`) }), 422);
    });

    it('refuses deleting a referenced resource with 409 naming the referrer', async () => {
      const p: any = await ctx.client().create({ resourceType: 'Patient', body: patient() });
      const o: any = await ctx.client().create({ resourceType: 'Observation', body: observation(`Patient/${p.id}`) });
      const outcome = await expectOutcome(ctx.client().delete({ resourceType: 'Patient', id: p.id }), 409);
      expect(JSON.stringify(outcome)).to.contain(`Observation/${o.id}`);
      expect(((await ctx.client().read({ resourceType: 'Patient', id: p.id })) as any).id).to.equal(p.id);
      await ctx.client().delete({ resourceType: 'Observation', id: o.id });
      await ctx.client().delete({ resourceType: 'Patient', id: p.id });
      await expectOutcome(ctx.client().read({ resourceType: 'Patient', id: p.id }), 410);
    });
  });

  describe('Synthea', () => {
    it('loads a Synthea patient transaction: every entry 201, every reference stored rewritten', async function () {
      this.timeout(300_000);
      const body = smallestSyntheaPatient();
      const before = await versions(ctx);
      const result: any = await ctx.client().transaction({ body });
      expect(result.type).to.equal('transaction-response');
      expect(result.entry).to.have.length(body.entry.length);
      const statuses = new Set(result.entry.map((e: any) => e.response.status.split(' ')[0]));
      expect([...statuses]).to.deep.equal(['201']);
      expect(await versions(ctx)).to.equal(before + body.entry.length);
      const i = body.entry.findIndex((e: any) => e.resource.resourceType === 'Encounter');
      const [type, id] = refOf(result.entry[i].response.location).split('/');
      const enc: any = await ctx.client().read({ resourceType: type!, id: id! });
      expect(enc.subject.reference).to.match(/^Patient\/[A-Za-z0-9\-.]+$/);
      await ctx.client().read({ resourceType: 'Patient', id: enc.subject.reference.split('/')[1] });
    });
  });
});

withServer(
  'conformance: Bundles and integrity with HEARTH_MAX_BUNDLE_ENTRIES=3, HEARTH_REFERENTIAL_INTEGRITY=off, HEARTH_DELETE_REFERENCED=allow',
  (ctx) => {
    it('refuses a Bundle over the entry limit with 413 and stores nothing, and accepts one at the limit', async () => {
      const before = await versions(ctx);
      for (const type of ['transaction', 'batch']) {
        const res = await ctx.http('POST', ctx.url(), { body: bundle(type, [1, 2, 3, 4].map(() => post(patient()))) });
        expectRawOutcome(res, 413);
      }
      expect(await versions(ctx)).to.equal(before);
      const ok: any = await ctx.client().transaction({ body: bundle('transaction', [1, 2, 3].map(() => post(patient()))) });
      expect(ok.entry).to.have.length(3);
      expect(await versions(ctx)).to.equal(before + 3);
    });

    it('accepts a dangling reference, alone and in a transaction', async () => {
      const o: any = await ctx.client().create({ resourceType: 'Observation', body: observation('Patient/no-such-patient') });
      expect(responseOf(o).status).to.equal(201);
      const tx: any = await ctx.client().transaction({ body: bundle('transaction', [post(observation('Patient/no-such-patient'))]) });
      expect(tx.entry[0].response.status).to.match(/^201\b/);
    });

    it('deletes a referenced resource', async () => {
      const p: any = await ctx.client().create({ resourceType: 'Patient', body: patient() });
      await ctx.client().create({ resourceType: 'Observation', body: observation(`Patient/${p.id}`) });
      const res = await ctx.http('DELETE', `Patient/${p.id}`);
      expect(res.status, res.text).to.be.oneOf([200, 204]);
      await expectOutcome(ctx.client().read({ resourceType: 'Patient', id: p.id }), 410);
    });
  },
  { env: { HEARTH_MAX_BUNDLE_ENTRIES: '3', HEARTH_REFERENTIAL_INTEGRITY: 'off', HEARTH_DELETE_REFERENCED: 'allow' } },
);

import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { processBundle } from '../bundles';
import { FhirError } from '../core/errors';
import { silentLogger } from '../core/logger';
import type { Repository } from '../storage/repository';
import { empty } from '../storage/sql';
import { forEachDatabase } from '../storage/test-databases';
import { createBaseValidator } from '../validation';
import { create } from './create';
import { conditionalDelete, remove } from './delete';
import type { IntegrityPolicy } from './integrity';
import { patch } from './patch';
import type { FhirResult, InteractionContext } from './types';
import { update } from './update';

const BASE = 'http://example.org/fhir';
const ON: IntegrityPolicy = { checkReferences: true, refuseReferencedDeletes: true };
const validator = createBaseValidator();

const patient = (extra: Record<string, unknown> = {}): Resource => ({ resourceType: 'Patient', gender: 'female', ...extra }) as Resource;
const observation = (reference?: string, extra: Record<string, unknown> = {}): Resource =>
  ({ resourceType: 'Observation', status: 'final', code: { text: 'weight' }, ...(reference ? { subject: { reference } } : {}), ...extra }) as Resource;
const urn = (): string => `urn:uuid:${randomUUID()}`;
const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Awaits a call that must fail with a FhirError and returns it. */
async function rejected(p: Promise<unknown>): Promise<FhirError> {
  try {
    await p;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(FhirError);
    return err as FhirError;
  }
  return expect.fail('the write was accepted');
}

forEachDatabase('interactions: referential integrity', (db) => {
  const repo = (): Repository => db.repository();
  const ctx = (integrity: IntegrityPolicy | null = ON, r: Repository = repo()): InteractionContext => ({
    repo: r,
    validator,
    logger: silentLogger,
    limits: { defaultPageSize: 20, maxPageSize: 100 },
    ...(integrity ? { integrity } : {}),
  });
  const post = (body: Resource, c = ctx()): Promise<FhirResult> => create(c, { resourceType: body.resourceType, query: [], body, baseUrl: BASE });
  const put = (body: Resource, c = ctx()): Promise<FhirResult> => update(c, { resourceType: body.resourceType, id: body.id, query: [], body, baseUrl: BASE });
  const del = (type: string, id: string, c = ctx()): Promise<FhirResult> => remove(c, { resourceType: type, id, query: [], baseUrl: BASE });
  const bundle = (type: 'transaction' | 'batch', entry: BundleEntry[], c = ctx()): Promise<Bundle> =>
    processBundle(c, { resourceType: 'Bundle', type, entry }, { baseUrl: BASE, prefer: 'minimal', maxEntries: 100, onUnexpected: () => undefined });
  const newPatient = async (): Promise<string> => (await post(patient())).resource!.id!;
  const versions = async (): Promise<number> => (await repo().history({ count: 0 })).total ?? -1;
  const current = async (type: string, id: string) => {
    const v = await repo().readCurrent(type, id);
    if (!v) return expect.fail(`${type}/${id} was never stored`);
    return v;
  };
  const currentObservations = async (): Promise<number> => (await repo().find('Observation', empty, 10_000)).length;

  describe('writes', () => {
    it('refuses a create that refers to a missing Patient with 422 naming the path, and stores nothing', async () => {
      const [before, obsBefore] = [await versions(), await currentObservations()];
      const err = await rejected(post(observation('Patient/no-such-patient')));
      expect(err.status).to.equal(422);
      expect(err.issues).to.have.length(1);
      expect(err.issues[0]!.severity).to.equal('error');
      expect(err.issues[0]!.expression).to.deep.equal(['Observation.subject.reference']);
      expect(err.issues[0]!.diagnostics).to.contain('Patient/no-such-patient');
      expect(await versions()).to.equal(before);
      expect(await currentObservations()).to.equal(obsBefore);
    });

    it('reports every dangling reference, also inside contained resources', async () => {
      const body = observation('Patient/missing-a', {
        performer: [{ reference: 'Practitioner/missing-b' }],
        contained: [{ resourceType: 'Specimen', id: 's1', subject: { reference: 'Patient/missing-c' } }],
        specimen: { reference: '#s1' },
      });
      const err = await rejected(post(body));
      expect(err.status).to.equal(422);
      expect(err.issues.flatMap((i) => i.expression ?? [])).to.have.members([
        'Observation.subject.reference',
        'Observation.performer[0].reference',
        'Observation.contained[0].subject.reference',
      ]);
    });

    it('accepts a reference to an existing Patient with 201', async () => {
      const id = await newPatient();
      const res = await post(observation(`Patient/${id}`));
      expect(res.status).to.equal(201);
      expect((res.resource as any).subject.reference).to.equal(`Patient/${id}`);
    });

    it('treats a versioned reference and an absolute URL under the base as local references', async () => {
      const id = await newPatient();
      expect((await post(observation(`Patient/${id}/_history/1`))).status).to.equal(201);
      expect((await post(observation(`${BASE}/Patient/${id}`))).status).to.equal(201);
      expect((await rejected(post(observation('Patient/missing-v/_history/1')))).status).to.equal(422);
      const abs = await rejected(post(observation(`${BASE}/Patient/missing-abs`)));
      expect(abs.status).to.equal(422);
      expect(abs.issues[0]!.expression).to.deep.equal(['Observation.subject.reference']);
    });

    it('refuses a versioned reference to a version that does not exist', async () => {
      const id = await newPatient();
      const err = await rejected(post(observation(`Patient/${id}/_history/7`)));
      expect(err.status).to.equal(422);
      expect(err.issues[0]!.expression).to.deep.equal(['Observation.subject.reference']);
    });

    it('counts versioned and absolute references when refusing deletes', async () => {
      const [a, b] = [await newPatient(), await newPatient()];
      const va = (await post(observation(`Patient/${a}/_history/1`))).resource!.id!;
      const vb = (await post(observation(`${BASE}/Patient/${b}`))).resource!.id!;
      expect((await rejected(del('Patient', a))).issues[0]!.diagnostics).to.contain(`Observation/${va}`);
      expect((await rejected(del('Patient', b))).issues[0]!.diagnostics).to.contain(`Observation/${vb}`);
    });

    it('refuses a reference to a deleted resource with 422', async () => {
      const id = await newPatient();
      expect((await del('Patient', id)).status).to.equal(204);
      const err = await rejected(post(observation(`Patient/${id}`)));
      expect(err.status).to.equal(422);
      expect(err.issues[0]!.expression).to.deep.equal(['Observation.subject.reference']);
    });

    it('does not check contained, external, urn and conditional references', async () => {
      const body = observation('#p1', {
        contained: [{ resourceType: 'Patient', id: 'p1', gender: 'male' }],
        performer: [
          { reference: 'http://other.example.org/fhir/Practitioner/elsewhere' },
          { reference: 'urn:uuid:6f5557bb-1c8b-438a-a774-06a5cdf8cbab' },
          { reference: 'Practitioner?identifier=http://example.org/ids|nobody' },
        ],
      });
      expect((await post(body)).status).to.equal(201);
    });

    it('refuses an update or a patch that adds a dangling reference and keeps the stored version', async () => {
      const obs = (await post(observation())).resource!;
      const err = await rejected(put({ ...obs, subject: { reference: 'Patient/missing-u' } } as Resource));
      expect(err.status).to.equal(422);
      expect(err.issues[0]!.expression).to.deep.equal(['Observation.subject.reference']);
      const ops = [{ op: 'add', path: '/subject', value: { reference: 'Patient/missing-p' } }];
      const perr = await rejected(patch(ctx(), { resourceType: 'Observation', id: obs.id, query: [], body: ops, baseUrl: BASE }));
      expect(perr.status).to.equal(422);
      const stored = await current('Observation', obs.id!);
      expect(stored.versionId).to.equal(1);
      expect((stored.content as any).subject).to.equal(undefined);
    });

    it('allows a self-reference, and deleting a resource that only refers to itself', async () => {
      const id = `self-${randomUUID()}`;
      const res = await put(patient({ id, link: [{ other: { reference: `Patient/${id}` }, type: 'seealso' }] }));
      expect(res.status).to.equal(201);
      expect((await del('Patient', id)).status).to.equal(204);
    });
  });

  describe('deletes', () => {
    it('refuses deleting a referenced resource with 409 naming the referrer, and changes nothing', async () => {
      const pid = await newPatient();
      const oid = (await post(observation(`Patient/${pid}`))).resource!.id!;
      const before = await versions();
      const err = await rejected(del('Patient', pid));
      expect(err.status).to.equal(409);
      expect(err.code).to.equal('conflict');
      expect(err.issues[0]!.diagnostics).to.contain(`Observation/${oid}`);
      expect(await versions()).to.equal(before);
      const p = await current('Patient', pid);
      expect(p.deleted).to.equal(false);
      expect(p.versionId).to.equal(1);
    });

    it('refuses a conditional delete of a referenced resource with 409', async () => {
      const pid = await newPatient();
      await post(observation(`Patient/${pid}`));
      const err = await rejected(conditionalDelete(ctx(), { resourceType: 'Patient', query: [['_id', pid]], baseUrl: BASE }));
      expect(err.status).to.equal(409);
      expect((await current('Patient', pid)).deleted).to.equal(false);
    });

    it('allows the delete once an update removed the reference', async () => {
      const pid = await newPatient();
      const obs = (await post(observation(`Patient/${pid}`))).resource!;
      expect((await rejected(del('Patient', pid))).status).to.equal(409);
      const { subject: _dropped, ...rest } = obs as any;
      expect((await put(rest)).status).to.equal(200);
      expect((await del('Patient', pid)).status).to.equal(204);
    });

    it('allows the delete once the referrer itself was deleted', async () => {
      const pid = await newPatient();
      const oid = (await post(observation(`Patient/${pid}`))).resource!.id!;
      expect((await del('Observation', oid)).status).to.equal(204);
      expect((await del('Patient', pid)).status).to.equal(204);
    });

    it('leaves no dangling reference when a delete races a create that refers to the target', async () => {
      const pid = await newPatient();
      let deleting: Promise<unknown> = Promise.resolve();
      await repo().transaction(async (r) => {
        await post(observation(`Patient/${pid}`), ctx(ON, r));
        deleting = del('Patient', pid).then((res) => res, (err: unknown) => err);
        await Promise.race([deleting, sleep(1000)]);
      });
      const outcome = await deleting;
      expect((await current('Patient', pid)).deleted, `delete answered ${String((outcome as any)?.status)}`).to.equal(false);
      expect(outcome).to.be.instanceOf(FhirError);
      expect((outcome as FhirError).status).to.equal(409);
    });

    it('leaves no dangling reference when a create races a delete of its target', async () => {
      const pid = await newPatient();
      let creating: Promise<unknown> = Promise.resolve();
      await repo().transaction(async (r) => {
        await del('Patient', pid, ctx(ON, r));
        creating = post(observation(`Patient/${pid}`)).then((res) => res, (err: unknown) => err);
        await Promise.race([creating, sleep(1000)]);
      });
      const outcome = await creating;
      expect((await current('Patient', pid)).deleted).to.equal(true);
      expect(outcome, 'an Observation referring to the deleted Patient was stored').to.be.instanceOf(FhirError);
      expect((outcome as FhirError).status).to.equal(422);
    });
  });

  describe('transaction and batch Bundles', () => {
    it('lets entries refer to each other in any order', async () => {
      const p = urn();
      const explicit = `tx-${randomUUID()}`;
      const out = await bundle('transaction', [
        { request: { method: 'POST', url: 'Observation' }, resource: observation(p) },
        { request: { method: 'POST', url: 'Observation' }, resource: observation(`Patient/${explicit}`) },
        { fullUrl: p, request: { method: 'POST', url: 'Patient' }, resource: patient() },
        { request: { method: 'PUT', url: `Patient/${explicit}` }, resource: patient({ id: explicit }) },
      ]);
      expect(out.entry!.map((e) => e.response?.status)).to.deep.equal(['201 Created', '201 Created', '201 Created', '201 Created']);
    });

    it('deletes a resource together with the resource that refers to it', async () => {
      const pid = await newPatient();
      const oid = (await post(observation(`Patient/${pid}`))).resource!.id!;
      const out = await bundle('transaction', [
        { request: { method: 'DELETE', url: `Patient/${pid}` } },
        { request: { method: 'DELETE', url: `Observation/${oid}` } },
      ]);
      expect(out.type).to.equal('transaction-response');
      expect((await current('Patient', pid)).deleted).to.equal(true);
      expect((await current('Observation', oid)).deleted).to.equal(true);
    });

    it('allows deleting the target when the same transaction drops the reference', async () => {
      const pid = await newPatient();
      const { subject: _dropped, ...obs } = (await post(observation(`Patient/${pid}`))).resource! as any;
      await bundle('transaction', [
        { request: { method: 'PUT', url: `Observation/${obs.id}` }, resource: obs },
        { request: { method: 'DELETE', url: `Patient/${pid}` } },
      ]);
      expect((await current('Patient', pid)).deleted).to.equal(true);
    });

    it('fails a transaction deleting only the target with 409 naming the entry, and changes nothing', async () => {
      const pid = await newPatient();
      const oid = (await post(observation(`Patient/${pid}`))).resource!.id!;
      const before = await versions();
      const err = await rejected(bundle('transaction', [
        { request: { method: 'POST', url: 'Patient' }, resource: patient() },
        { request: { method: 'DELETE', url: `Patient/${pid}` } },
      ]));
      expect(err.status).to.equal(409);
      expect(err.issues[0]!.diagnostics).to.contain('Bundle.entry[1]').and.to.contain(`Observation/${oid}`);
      expect(await versions()).to.equal(before);
      expect((await current('Patient', pid)).deleted).to.equal(false);
    });

    it('fails a transaction with one dangling reference with 422 naming the entry, and leaves nothing behind', async () => {
      const p = urn();
      const before = await versions();
      const err = await rejected(bundle('transaction', [
        { fullUrl: p, request: { method: 'POST', url: 'Patient' }, resource: patient() },
        { request: { method: 'POST', url: 'Observation' }, resource: observation(p) },
        { request: { method: 'POST', url: 'Observation' }, resource: observation('Patient/missing-in-tx') },
      ]));
      expect(err.status).to.equal(422);
      expect(err.issues).to.have.length(1);
      expect(err.issues[0]!.expression).to.deep.equal(['Bundle.entry[2].resource.subject.reference']);
      expect(err.issues[0]!.diagnostics).to.contain('Bundle.entry[2]');
      expect(await versions()).to.equal(before);
    });

    it('fails a transaction creating a reference to a resource it deletes', async () => {
      const pid = await newPatient();
      const err = await rejected(bundle('transaction', [
        { request: { method: 'POST', url: 'Observation' }, resource: observation(`Patient/${pid}`) },
        { request: { method: 'DELETE', url: `Patient/${pid}` } },
      ]));
      expect(err.status).to.equal(422);
      expect(err.issues[0]!.expression).to.deep.equal(['Bundle.entry[0].resource.subject.reference']);
      expect((await current('Patient', pid)).deleted).to.equal(false);
    });

    it('fails only the dangling entry of a batch', async () => {
      const pid = await newPatient();
      const out = await bundle('batch', [
        { request: { method: 'POST', url: 'Observation' }, resource: observation(`Patient/${pid}`) },
        { request: { method: 'POST', url: 'Observation' }, resource: observation('Patient/missing-in-batch') },
      ]);
      expect(out.entry!.map((e) => e.response?.status)).to.deep.equal(['201 Created', '422 Unprocessable Entity']);
      expect(JSON.stringify(out.entry![1]!.response!.outcome)).to.contain('Observation.subject.reference');
    });

    it('resolves relative references of a stored collection Bundle against the entries, not this server', async () => {
      const other = 'http://other.example.org/fhir';
      const doc = { resourceType: 'Bundle', type: 'collection', entry: [
        { fullUrl: `${other}/Patient/p1`, resource: patient({ id: 'p1' }) },
        { fullUrl: `${other}/Observation/o1`, resource: observation('Patient/p1', { id: 'o1' }) },
      ] } as Resource;
      expect((await post(doc)).status).to.equal(201);
    });
  });

  describe('with checks off', () => {
    const offs: [string, IntegrityPolicy | null][] = [['integrity absent', null], ['both flags false', { checkReferences: false, refuseReferencedDeletes: false }]];
    for (const [title, policy] of offs) {
      it(`accepts dangling references and referenced deletes (${title})`, async () => {
        const off = ctx(policy);
        expect((await post(observation('Patient/missing-off'), off)).status).to.equal(201);
        const pid = await newPatient();
        await post(observation(`Patient/${pid}`), off);
        expect((await del('Patient', pid, off)).status).to.equal(204);
        const out = await bundle('transaction', [{ request: { method: 'POST', url: 'Observation' }, resource: observation('Patient/missing-off-tx') }], off);
        expect(out.entry![0]!.response!.status).to.equal('201 Created');
      });
    }

    it('applies each flag on its own', async () => {
      const deletesOnly = ctx({ checkReferences: false, refuseReferencedDeletes: true });
      const refsOnly = ctx({ checkReferences: true, refuseReferencedDeletes: false });
      expect((await post(observation('Patient/missing-flag'), deletesOnly)).status).to.equal(201);
      expect((await rejected(post(observation('Patient/missing-flag'), refsOnly))).status).to.equal(422);
      const pid = await newPatient();
      await post(observation(`Patient/${pid}`));
      expect((await rejected(del('Patient', pid, deletesOnly))).status).to.equal(409);
      expect((await del('Patient', pid, refsOnly)).status).to.equal(204);
    });
  });
});

import { expect } from 'chai';
import { expectOutcome, responseOf, withServer } from './harness';
import { R4_RESOURCE_TYPES } from './r4-resource-types';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function patient(extra: Record<string, unknown> = {}): any {
  return { resourceType: 'Patient', name: [{ family: 'Everyman', given: ['Adam'] }], gender: 'male', birthDate: '1970-01-01', ...extra };
}

withServer('conformance: create, read, vread, update, delete', (ctx) => {
  describe('create', () => {
    it('assigns an id, answers 201 with Location, ETag, Last-Modified and meta', async () => {
      const created: any = await ctx.client().create({ resourceType: 'Patient', body: patient() });
      const res = responseOf(created);
      expect(res.status).to.equal(201);
      expect(created.id).to.match(/^[A-Za-z0-9\-.]{1,64}$/);
      expect(res.headers.get('location')).to.equal(`${ctx.url()}/Patient/${created.id}/_history/1`);
      expect(res.headers.get('etag')).to.equal('W/"1"');
      expect(res.headers.get('last-modified')).to.be.a('string');
      expect(new Date(res.headers.get('last-modified')!).getTime()).to.be.closeTo(Date.parse(created.meta.lastUpdated), 1000);
      expect(res.headers.get('content-type')).to.match(/^application\/fhir\+json/);
      expect(created.meta.versionId).to.equal('1');
      expect(created.meta.lastUpdated).to.match(INSTANT);
      expect(Math.abs(Date.parse(created.meta.lastUpdated) - Date.now())).to.be.below(60_000);
      expect(created).to.deep.include({ name: [{ family: 'Everyman', given: ['Adam'] }], gender: 'male', birthDate: '1970-01-01' });
    });

    it('ignores a client-supplied id', async () => {
      const created: any = await ctx.client().create({ resourceType: 'Patient', body: patient({ id: 'client-chosen' }) });
      expect(created.id).to.not.equal('client-chosen');
      await expectOutcome(ctx.client().read({ resourceType: 'Patient', id: 'client-chosen' }), 404);
      const read: any = await ctx.client().read({ resourceType: 'Patient', id: created.id });
      expect(read.id).to.equal(created.id);
    });

    it('replaces client-supplied meta.versionId and meta.lastUpdated but keeps other meta', async () => {
      const meta = { versionId: '42', lastUpdated: '2001-01-01T00:00:00Z', tag: [{ system: 'http://example.org/tags', code: 'keep' }], profile: ['http://example.org/StructureDefinition/p'] };
      const created: any = await ctx.client().create({ resourceType: 'Patient', body: patient({ meta }) });
      expect(created.meta.versionId).to.equal('1');
      expect(created.meta.lastUpdated).to.not.equal('2001-01-01T00:00:00Z');
      expect(created.meta.tag).to.deep.equal(meta.tag);
      expect(created.meta.profile).to.deep.equal(meta.profile);
    });

    it('gives every create a distinct id', async () => {
      const ids = await Promise.all(Array.from({ length: 10 }, async () => ((await ctx.client().create({ resourceType: 'Basic', body: { resourceType: 'Basic', code: { text: 'x' } } })) as any).id));
      expect(new Set(ids).size).to.equal(10);
    });
  });

  describe('read and vread', () => {
    it('reads the current version with its ETag and Last-Modified', async () => {
      const created: any = await ctx.client().create({ resourceType: 'Patient', body: patient() });
      const read: any = await ctx.client().read({ resourceType: 'Patient', id: created.id });
      expect(read).to.deep.equal(created);
      const res = responseOf(read);
      expect(res.status).to.equal(200);
      expect(res.headers.get('etag')).to.equal('W/"1"');
      expect(res.headers.get('last-modified')).to.equal(responseOf(created).headers.get('last-modified'));
    });

    it('vreads every version, old ones unchanged', async () => {
      const v1: any = await ctx.client().create({ resourceType: 'Patient', body: patient() });
      const v2: any = await ctx.client().update({ resourceType: 'Patient', id: v1.id, body: { ...v1, gender: 'female' } });
      const old: any = await ctx.client().vread({ resourceType: 'Patient', id: v1.id, version: '1' });
      expect(old).to.deep.equal(v1);
      expect(responseOf(old).headers.get('etag')).to.equal('W/"1"');
      const current: any = await ctx.client().vread({ resourceType: 'Patient', id: v1.id, version: '2' });
      expect(current).to.deep.equal(v2);
      expect(current.gender).to.equal('female');
    });

    it('answers 404 for an unknown id and an unknown version', async () => {
      await expectOutcome(ctx.client().read({ resourceType: 'Patient', id: 'does-not-exist' }), 404);
      const created: any = await ctx.client().create({ resourceType: 'Patient', body: patient() });
      await expectOutcome(ctx.client().vread({ resourceType: 'Patient', id: created.id, version: '2' }), 404);
      await expectOutcome(ctx.client().vread({ resourceType: 'Patient', id: 'does-not-exist', version: '1' }), 404);
    });

    it('does not find a resource under another type', async () => {
      const created: any = await ctx.client().create({ resourceType: 'Patient', body: patient() });
      await expectOutcome(ctx.client().read({ resourceType: 'Practitioner', id: created.id }), 404);
    });
  });

  describe('update', () => {
    it('answers 200 and increments the version', async () => {
      const v1: any = await ctx.client().create({ resourceType: 'Patient', body: patient() });
      const v2: any = await ctx.client().update({ resourceType: 'Patient', id: v1.id, body: { ...v1, birthDate: '1971-02-03' } });
      const res = responseOf(v2);
      expect(res.status).to.equal(200);
      expect(v2.meta.versionId).to.equal('2');
      expect(res.headers.get('etag')).to.equal('W/"2"');
      expect(Date.parse(v2.meta.lastUpdated)).to.be.at.least(Date.parse(v1.meta.lastUpdated));
      const v3: any = await ctx.client().update({ resourceType: 'Patient', id: v1.id, body: { ...v2, active: true } });
      expect(v3.meta.versionId).to.equal('3');
      const read: any = await ctx.client().read({ resourceType: 'Patient', id: v1.id });
      expect(read).to.deep.equal(v3);
      expect(read.birthDate).to.equal('1971-02-03');
    });

    it('replaces the whole resource: elements left out are gone', async () => {
      const v1: any = await ctx.client().create({ resourceType: 'Patient', body: patient({ active: true }) });
      await ctx.client().update({ resourceType: 'Patient', id: v1.id, body: { resourceType: 'Patient', id: v1.id, gender: 'other' } });
      const read: any = await ctx.client().read({ resourceType: 'Patient', id: v1.id });
      expect(read).to.not.have.any.keys('name', 'active', 'birthDate');
      expect(read.gender).to.equal('other');
    });

    it('creates a resource with the client id when it does not exist (201, version 1)', async () => {
      const id = `upd-create-${Date.now()}`;
      const created: any = await ctx.client().update({ resourceType: 'Patient', id, body: patient({ id }) });
      const res = responseOf(created);
      expect(res.status).to.equal(201);
      expect(created.id).to.equal(id);
      expect(created.meta.versionId).to.equal('1');
      expect(res.headers.get('etag')).to.equal('W/"1"');
      expect(res.headers.get('location')).to.equal(`${ctx.url()}/Patient/${id}/_history/1`);
      expect(((await ctx.client().read({ resourceType: 'Patient', id })) as any).gender).to.equal('male');
    });

    it('keeps unrelated resources untouched', async () => {
      const a: any = await ctx.client().create({ resourceType: 'Patient', body: patient({ gender: 'female' }) });
      const b: any = await ctx.client().create({ resourceType: 'Patient', body: patient() });
      await ctx.client().update({ resourceType: 'Patient', id: b.id, body: { ...b, gender: 'other' } });
      expect(await ctx.client().read({ resourceType: 'Patient', id: a.id })).to.deep.equal(a);
    });
  });

  describe('delete', () => {
    it('deletes: read answers 410, vread of the deletion 410, earlier versions stay readable', async () => {
      const v1: any = await ctx.client().create({ resourceType: 'Patient', body: patient() });
      const deleted = await ctx.client().delete({ resourceType: 'Patient', id: v1.id });
      expect(responseOf(deleted).status).to.be.oneOf([200, 202, 204]);
      const gone = await expectOutcome(ctx.client().read({ resourceType: 'Patient', id: v1.id }), 410);
      expect(gone.issue[0].code).to.be.oneOf(['deleted', 'not-found', 'processing']);
      await expectOutcome(ctx.client().vread({ resourceType: 'Patient', id: v1.id, version: '2' }), 410);
      expect(await ctx.client().vread({ resourceType: 'Patient', id: v1.id, version: '1' })).to.deep.equal(v1);
    });

    it('records the deletion in the history, newest first', async () => {
      const v1: any = await ctx.client().create({ resourceType: 'Patient', body: patient() });
      await ctx.client().delete({ resourceType: 'Patient', id: v1.id });
      const bundle: any = await ctx.client().history({ resourceType: 'Patient', id: v1.id });
      expect(bundle.type).to.equal('history');
      expect(bundle.entry).to.have.length(2);
      const [deletion, creation] = bundle.entry;
      expect(deletion.request.method).to.equal('DELETE');
      expect(deletion.resource).to.equal(undefined);
      expect(deletion.request.url).to.equal(`Patient/${v1.id}`);
      expect(creation.resource).to.deep.equal(v1);
    });

    it('is idempotent: deleting a deleted resource succeeds and adds no version', async () => {
      const v1: any = await ctx.client().create({ resourceType: 'Patient', body: patient() });
      await ctx.client().delete({ resourceType: 'Patient', id: v1.id });
      const again = await ctx.client().delete({ resourceType: 'Patient', id: v1.id });
      expect(responseOf(again).status).to.be.oneOf([200, 204]);
      const bundle: any = await ctx.client().history({ resourceType: 'Patient', id: v1.id });
      expect(bundle.entry).to.have.length(2);
    });

    it('brings a deleted resource back with an update (201, next version)', async () => {
      const v1: any = await ctx.client().create({ resourceType: 'Patient', body: patient() });
      await ctx.client().delete({ resourceType: 'Patient', id: v1.id });
      const revived: any = await ctx.client().update({ resourceType: 'Patient', id: v1.id, body: { ...v1, meta: undefined, gender: 'female' } });
      expect(responseOf(revived).status).to.equal(201);
      expect(revived.meta.versionId).to.equal('3');
      expect(((await ctx.client().read({ resourceType: 'Patient', id: v1.id })) as any).gender).to.equal('female');
    });
  });

  describe('capabilities', () => {
    it('serves a CapabilityStatement for FHIR 4.0.1 listing exactly the 146 R4 resource types', async () => {
      const cs: any = await ctx.client().capabilityStatement();
      expect(responseOf(cs).status).to.equal(200);
      expect(cs.resourceType).to.equal('CapabilityStatement');
      expect(cs.fhirVersion).to.equal('4.0.1');
      expect(cs.kind).to.equal('instance');
      expect(cs.format).to.satisfy((f: string[]) => f.some((x) => /json/.test(x)));
      const server = cs.rest.find((r: any) => r.mode === 'server');
      const types: string[] = server.resource.map((r: any) => r.type);
      expect(new Set(types).size).to.equal(types.length);
      expect([...types].sort()).to.deep.equal([...R4_RESOURCE_TYPES].sort());
      const patientCap = server.resource.find((r: any) => r.type === 'Patient');
      const interactions = patientCap.interaction.map((i: any) => i.code);
      expect(interactions).to.include.members(['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create']);
    });

    it('serves every R4 resource type (type history answers 200 for each)', async () => {
      const failures: string[] = [];
      for (const type of R4_RESOURCE_TYPES) {
        const res = await ctx.http('GET', `${type}/_history?_count=1`);
        if (res.status !== 200 || res.json?.type !== 'history') failures.push(`${type}: ${res.status}`);
      }
      expect(failures).to.deep.equal([]);
    });
  });
});

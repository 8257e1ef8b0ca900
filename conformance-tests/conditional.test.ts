import { expect } from 'chai';
import { expectOutcome, expectRawOutcome, responseOf, sleep, unique, withServer, type ServerContext } from './harness';

const SYSTEM = 'http://example.org/mrn';

function patientWith(value: string, extra: Record<string, unknown> = {}): any {
  return { resourceType: 'Patient', identifier: [{ system: SYSTEM, value }], gender: 'female', ...extra };
}

async function createPatient(ctx: ServerContext, value: string, extra: Record<string, unknown> = {}): Promise<any> {
  return ctx.client().create({ resourceType: 'Patient', body: patientWith(value, extra) });
}

async function versionCount(ctx: ServerContext, type: string, id: string): Promise<number> {
  const bundle: any = await ctx.client().history({ resourceType: type, id });
  return bundle.entry.length;
}

withServer('conformance: conditional interactions', (ctx) => {
  describe('conditional create (If-None-Exist)', () => {
    it('creates when nothing matches (201)', async () => {
      const value = unique();
      const created: any = await ctx.client().create({ resourceType: 'Patient', body: patientWith(value), options: { headers: { 'If-None-Exist': `identifier=${SYSTEM}|${value}` } } });
      expect(responseOf(created).status).to.equal(201);
      expect(created.identifier[0].value).to.equal(value);
    });

    it('returns the one existing match with 200 and creates nothing', async () => {
      const value = unique();
      const existing = await createPatient(ctx, value);
      const again: any = await ctx.client().create({
        resourceType: 'Patient',
        body: patientWith(value, { gender: 'male' }),
        options: { headers: { 'If-None-Exist': `identifier=${SYSTEM}|${value}` } },
      });
      expect(responseOf(again).status).to.equal(200);
      expect(again.id).to.equal(existing.id);
      expect(again.gender).to.equal('female');
      expect(again.meta.versionId).to.equal('1');
      expect(await versionCount(ctx, 'Patient', existing.id)).to.equal(1);
    });

    it('answers 412 when several match, creating nothing', async () => {
      const value = unique();
      await createPatient(ctx, value);
      await createPatient(ctx, value);
      const before: any = await ctx.client().request('Patient/_history?_count=1000');
      await expectOutcome(
        ctx.client().create({ resourceType: 'Patient', body: patientWith(value), options: { headers: { 'If-None-Exist': `identifier=${SYSTEM}|${value}` } } }),
        412,
      );
      const after: any = await ctx.client().request('Patient/_history?_count=1000');
      expect(after.entry.length).to.equal(before.entry.length);
    });

    it('matches on _id', async () => {
      const existing = await createPatient(ctx, unique());
      const again: any = await ctx.client().create({ resourceType: 'Patient', body: patientWith(unique()), options: { headers: { 'If-None-Exist': `_id=${existing.id}` } } });
      expect(responseOf(again).status).to.equal(200);
      expect(again.id).to.equal(existing.id);
    });

    it('does not match a deleted resource', async () => {
      const value = unique();
      const existing = await createPatient(ctx, value);
      await ctx.client().delete({ resourceType: 'Patient', id: existing.id });
      const created: any = await ctx.client().create({ resourceType: 'Patient', body: patientWith(value), options: { headers: { 'If-None-Exist': `identifier=${SYSTEM}|${value}` } } });
      expect(responseOf(created).status).to.equal(201);
      expect(created.id).to.not.equal(existing.id);
    });
  });

  describe('conditional update (PUT Type?criteria)', () => {
    it('creates when nothing matches (201)', async () => {
      const value = unique();
      const created: any = await ctx.client().update({ resourceType: 'Patient', searchParams: { identifier: `${SYSTEM}|${value}` }, body: patientWith(value) });
      expect(responseOf(created).status).to.equal(201);
      expect(created.id).to.be.a('string');
      expect(created.meta.versionId).to.equal('1');
      expect(((await ctx.client().read({ resourceType: 'Patient', id: created.id })) as any).identifier[0].value).to.equal(value);
    });

    it('updates the one match (200, next version)', async () => {
      const value = unique();
      const existing = await createPatient(ctx, value);
      const updated: any = await ctx.client().update({ resourceType: 'Patient', searchParams: { identifier: `${SYSTEM}|${value}` }, body: patientWith(value, { gender: 'other' }) });
      expect(responseOf(updated).status).to.equal(200);
      expect(updated.id).to.equal(existing.id);
      expect(updated.meta.versionId).to.equal('2');
      expect(((await ctx.client().read({ resourceType: 'Patient', id: existing.id })) as any).gender).to.equal('other');
    });

    it('updates the one match when the body carries its id', async () => {
      const value = unique();
      const existing = await createPatient(ctx, value);
      const updated: any = await ctx.client().update({ resourceType: 'Patient', searchParams: { identifier: `${SYSTEM}|${value}` }, body: patientWith(value, { id: existing.id, gender: 'male' }) });
      expect(responseOf(updated).status).to.equal(200);
      expect(updated.id).to.equal(existing.id);
    });

    it('answers 400 when the body id differs from the match, changing nothing', async () => {
      const value = unique();
      const existing = await createPatient(ctx, value);
      await expectOutcome(ctx.client().update({ resourceType: 'Patient', searchParams: { identifier: `${SYSTEM}|${value}` }, body: patientWith(value, { id: 'someone-else', gender: 'male' }) }), 400);
      expect(await ctx.client().read({ resourceType: 'Patient', id: existing.id })).to.deep.equal(existing);
      await expectOutcome(ctx.client().read({ resourceType: 'Patient', id: 'someone-else' }), 404);
    });

    it('answers 412 when several match, changing nothing', async () => {
      const value = unique();
      const a = await createPatient(ctx, value);
      const b = await createPatient(ctx, value);
      await expectOutcome(ctx.client().update({ resourceType: 'Patient', searchParams: { identifier: `${SYSTEM}|${value}` }, body: patientWith(value, { gender: 'male' }) }), 412);
      expect(await ctx.client().read({ resourceType: 'Patient', id: a.id })).to.deep.equal(a);
      expect(await ctx.client().read({ resourceType: 'Patient', id: b.id })).to.deep.equal(b);
    });

    it('matches a code without system only against the value (identifier=|value matches no system)', async () => {
      const value = unique();
      const withSystem = await createPatient(ctx, value);
      const created: any = await ctx.client().update({ resourceType: 'Patient', searchParams: { identifier: `|${value}` }, body: { resourceType: 'Patient', identifier: [{ value }] } });
      expect(responseOf(created).status).to.equal(201);
      expect(created.id).to.not.equal(withSystem.id);
    });
  });

  describe('conditional delete (DELETE Type?criteria)', () => {
    it('deletes the one match', async () => {
      const value = unique();
      const existing = await createPatient(ctx, value);
      const res = await ctx.http('DELETE', `Patient?identifier=${encodeURIComponent(`${SYSTEM}|${value}`)}`);
      expect(res.status).to.be.oneOf([200, 204]);
      await expectOutcome(ctx.client().read({ resourceType: 'Patient', id: existing.id }), 410);
    });

    it('answers 412 when several match, deleting nothing', async () => {
      const value = unique();
      const a = await createPatient(ctx, value);
      const b = await createPatient(ctx, value);
      const res = await ctx.http('DELETE', `Patient?identifier=${encodeURIComponent(`${SYSTEM}|${value}`)}`);
      expectRawOutcome(res, 412);
      expect(await ctx.client().read({ resourceType: 'Patient', id: a.id })).to.deep.equal(a);
      expect(await ctx.client().read({ resourceType: 'Patient', id: b.id })).to.deep.equal(b);
    });

    it('leaves resources of other types alone', async () => {
      const value = unique();
      const practitioner: any = await ctx.client().create({ resourceType: 'Practitioner', body: { resourceType: 'Practitioner', identifier: [{ system: SYSTEM, value }] } });
      const res = await ctx.http('DELETE', `Patient?identifier=${encodeURIComponent(`${SYSTEM}|${value}`)}`);
      expect(res.status).to.be.oneOf([200, 204, 404]);
      expect(await ctx.client().read({ resourceType: 'Practitioner', id: practitioner.id })).to.deep.equal(practitioner);
    });
  });

  describe('conditional read', () => {
    it('answers 304 with no body for If-None-Match with the current version', async () => {
      const created = await createPatient(ctx, unique());
      const res = await ctx.http('GET', `Patient/${created.id}`, { headers: { 'If-None-Match': 'W/"1"' } });
      expect(res.status).to.equal(304);
      expect(res.text).to.equal('');
      expect(res.headers.get('etag')).to.equal('W/"1"');
    });

    it('compares If-None-Match weakly, against every listed tag', async () => {
      const created = await createPatient(ctx, unique());
      expect((await ctx.http('GET', `Patient/${created.id}`, { headers: { 'If-None-Match': '"1"' } })).status).to.equal(304);
      expect((await ctx.http('GET', `Patient/${created.id}`, { headers: { 'If-None-Match': 'W/"0", W/"1"' } })).status).to.equal(304);
      expect((await ctx.http('GET', `Patient/${created.id}`, { headers: { 'If-None-Match': 'W/"0", W/"2"' } })).status).to.equal(200);
    });

    it('ignores an If-Modified-Since that is not an HTTP date (RFC 7232 section 3.3)', async () => {
      const created = await createPatient(ctx, unique());
      const res = await ctx.http('GET', `Patient/${created.id}`, { headers: { 'If-Modified-Since': 'not a date' } });
      expect(res.status, res.text).to.equal(200);
      expect(res.json.id).to.equal(created.id);
    });

    it('answers 200 for If-None-Match with an older version', async () => {
      const created = await createPatient(ctx, unique());
      await ctx.client().update({ resourceType: 'Patient', id: created.id, body: { ...created, gender: 'male' } });
      const res = await ctx.http('GET', `Patient/${created.id}`, { headers: { 'If-None-Match': 'W/"1"' } });
      expect(res.status).to.equal(200);
      expect(res.json.meta.versionId).to.equal('2');
      expect(res.headers.get('etag')).to.equal('W/"2"');
    });

    it('answers 304 for If-None-Match through fhir-kit-client as a failure with status 304', async () => {
      const created = await createPatient(ctx, unique());
      const err = await ctx.client().read({ resourceType: 'Patient', id: created.id, options: { headers: { 'If-None-Match': 'W/"1"' } } }).then(
        () => undefined,
        (e: any) => e,
      );
      expect(err?.response?.status).to.equal(304);
    });

    it('answers 304 for If-Modified-Since at or after Last-Modified, 200 before it', async () => {
      const created = await createPatient(ctx, unique());
      const lastModified = responseOf(created).headers.get('last-modified')!;
      const same = await ctx.http('GET', `Patient/${created.id}`, { headers: { 'If-Modified-Since': lastModified } });
      expect(same.status, 'If-Modified-Since equal to Last-Modified').to.equal(304);
      expect(same.text).to.equal('');
      const later = new Date(Date.now() + 3_600_000).toUTCString();
      expect((await ctx.http('GET', `Patient/${created.id}`, { headers: { 'If-Modified-Since': later } })).status).to.equal(304);
      const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString();
      const modified = await ctx.http('GET', `Patient/${created.id}`, { headers: { 'If-Modified-Since': earlier } });
      expect(modified.status).to.equal(200);
      expect(modified.json.id).to.equal(created.id);
    });

    it('answers 200 for If-Modified-Since once the resource changed after that date', async () => {
      const created = await createPatient(ctx, unique());
      const since = responseOf(created).headers.get('last-modified')!;
      await sleep(1_100);
      await ctx.client().update({ resourceType: 'Patient', id: created.id, body: { ...created, gender: 'male' } });
      const res = await ctx.http('GET', `Patient/${created.id}`, { headers: { 'If-Modified-Since': since } });
      expect(res.status).to.equal(200);
      expect(res.json.gender).to.equal('male');
    });
  });

  describe('criteria of any search parameter', () => {
    it('conditional update, create and delete by name, birthdate, _tag and chains', async () => {
      const family = unique('Fam').replace(/-/g, '');
      const tag = unique('tag');
      const created: any = await ctx.client().create({ resourceType: 'Patient', body: { resourceType: 'Patient', meta: { tag: [{ system: 'urn:t', code: tag }] }, name: [{ family }], birthDate: '1955-04-03' } });
      const updated: any = await ctx.client().update({ resourceType: 'Patient', searchParams: { name: family, birthdate: '1955' }, body: { resourceType: 'Patient', meta: { tag: [{ system: 'urn:t', code: tag }] }, name: [{ family }], birthDate: '1955-04-03', gender: 'male' } });
      expect(responseOf(updated).status).to.equal(200);
      expect(updated.id).to.equal(created.id);
      const again: any = await ctx.client().create({ resourceType: 'Patient', body: { resourceType: 'Patient' }, options: { headers: { 'If-None-Exist': `birthdate=1955-04-03&name:exact=${family}` } } });
      expect(responseOf(again).status).to.equal(200);
      expect(again.id).to.equal(created.id);
      const obs: any = await ctx.client().create({ resourceType: 'Observation', body: { resourceType: 'Observation', status: 'final', code: { text: tag }, subject: { reference: `Patient/${created.id}` } } });
      expect((await ctx.http('DELETE', `Observation?subject:Patient.name=${family}`)).status).to.equal(204);
      await expectOutcome(ctx.client().read({ resourceType: 'Observation', id: obs.id }), 410);
      expect((await ctx.http('DELETE', `Patient?_tag=urn:t|${tag}`)).status).to.equal(204);
      await expectOutcome(ctx.client().read({ resourceType: 'Patient', id: created.id }), 410);
    });

    it('refuses unknown parameters, unsupported modifiers and result parameters with 400', async () => {
      expectRawOutcome(await ctx.http('DELETE', 'Patient?name:fuzzy=x'), 400);
      expectRawOutcome(await ctx.http('DELETE', 'Patient?name=x&_sort=name'), 400);
      expectRawOutcome(await ctx.http('PUT', 'Patient?not-a-param=x', { body: { resourceType: 'Patient' } }), 400);
    });
  });
});

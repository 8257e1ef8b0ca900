import { expect } from 'chai';
import { expectOutcome, expectRawOutcome, responseOf, unique, withServer, type ServerContext } from './harness';

async function newPatient(ctx: ServerContext, extra: Record<string, unknown> = {}): Promise<any> {
  return ctx.client().create({ resourceType: 'Patient', body: { resourceType: 'Patient', gender: 'female', name: [{ family: 'Doe', given: ['Jane'] }], ...extra } });
}

/** The resource is still exactly `expected` and has no further versions. */
async function expectUnchanged(ctx: ServerContext, expected: any): Promise<void> {
  expect(await ctx.client().read({ resourceType: expected.resourceType, id: expected.id })).to.deep.equal(expected);
  const bundle: any = await ctx.client().history({ resourceType: expected.resourceType, id: expected.id });
  expect(bundle.entry).to.have.length(Number(expected.meta.versionId));
}

withServer('conformance: JSON Patch', (ctx) => {
  it('applies a patch: 200, next version, new content', async () => {
    const v1 = await newPatient(ctx);
    const patched: any = await ctx.client().patch({ resourceType: 'Patient', id: v1.id, jsonPatch: [{ op: 'replace', path: '/gender', value: 'male' }] });
    const res = responseOf(patched);
    expect(res.status).to.equal(200);
    expect(res.headers.get('etag')).to.equal('W/"2"');
    expect(patched.meta.versionId).to.equal('2');
    expect(patched.gender).to.equal('male');
    expect(patched.name).to.deep.equal(v1.name);
    expect(await ctx.client().read({ resourceType: 'Patient', id: v1.id })).to.deep.equal(patched);
  });

  it('applies every operation of a patch in order', async () => {
    const v1 = await newPatient(ctx, { active: true });
    const patched: any = await ctx.client().patch({
      resourceType: 'Patient',
      id: v1.id,
      jsonPatch: [
        { op: 'test', path: '/gender', value: 'female' },
        { op: 'add', path: '/name/0/given/-', value: 'Mary' },
        { op: 'add', path: '/birthDate', value: '1980-05-06' },
        { op: 'remove', path: '/active' },
        { op: 'copy', from: '/name/0', path: '/name/-' },
        { op: 'add', path: '/name/1/use', value: 'nickname' },
        { op: 'move', from: '/birthDate', path: '/birthDate' },
      ],
    });
    expect(patched.name).to.deep.equal([
      { family: 'Doe', given: ['Jane', 'Mary'] },
      { family: 'Doe', given: ['Jane', 'Mary'], use: 'nickname' },
    ]);
    expect(patched.birthDate).to.equal('1980-05-06');
    expect(patched).to.not.have.property('active');
  });

  it('answers 400 or 422 and stores nothing when the result is not a valid resource', async () => {
    const v1 = await newPatient(ctx);
    const outcome = await expectOutcome(ctx.client().patch({ resourceType: 'Patient', id: v1.id, jsonPatch: [{ op: 'replace', path: '/gender', value: 'bogus' }] }), [400, 422]);
    expect(JSON.stringify(outcome)).to.contain('gender');
    await expectOutcome(ctx.client().patch({ resourceType: 'Patient', id: v1.id, jsonPatch: [{ op: 'add', path: '/favouriteColour', value: 'blue' }] }), [400, 422]);
    await expectOutcome(ctx.client().patch({ resourceType: 'Patient', id: v1.id, jsonPatch: [{ op: 'add', path: '/birthDate', value: '1980-13-45' }] }), [400, 422]);
    await expectUnchanged(ctx, v1);
  });

  it('answers 400 or 422 for a patch that changes the id or the resource type', async () => {
    const v1 = await newPatient(ctx);
    await expectOutcome(ctx.client().patch({ resourceType: 'Patient', id: v1.id, jsonPatch: [{ op: 'replace', path: '/id', value: 'another-id' }] }), [400, 422]);
    await expectOutcome(ctx.client().patch({ resourceType: 'Patient', id: v1.id, jsonPatch: [{ op: 'replace', path: '/resourceType', value: 'Person' }] }), [400, 422]);
    await expectUnchanged(ctx, v1);
    await expectOutcome(ctx.client().read({ resourceType: 'Patient', id: 'another-id' }), 404);
  });

  it('answers 422 for a failed test operation, applying none of the patch', async () => {
    const v1 = await newPatient(ctx);
    await expectOutcome(
      ctx.client().patch({
        resourceType: 'Patient',
        id: v1.id,
        jsonPatch: [
          { op: 'replace', path: '/gender', value: 'male' },
          { op: 'test', path: '/name/0/family', value: 'Smith' },
        ],
      }),
      422,
    );
    await expectUnchanged(ctx, v1);
  });

  it('refuses operations on paths that do not exist, applying nothing', async () => {
    const v1 = await newPatient(ctx);
    await expectOutcome(ctx.client().patch({ resourceType: 'Patient', id: v1.id, jsonPatch: [{ op: 'replace', path: '/gender', value: 'male' }, { op: 'remove', path: '/telecom' }] }), [400, 409, 422]);
    await expectOutcome(ctx.client().patch({ resourceType: 'Patient', id: v1.id, jsonPatch: [{ op: 'add', path: '/contact/0/name', value: { text: 'x' } }] }), [400, 409, 422]);
    await expectUnchanged(ctx, v1);
  });

  it('answers 400 for a malformed patch document', async () => {
    const v1 = await newPatient(ctx);
    const patch = (body: string) => ctx.http('PATCH', `Patient/${v1.id}`, { headers: { 'Content-Type': 'application/json-patch+json' }, body });
    expectRawOutcome(await patch(JSON.stringify({ op: 'replace', path: '/gender', value: 'male' })), 400);
    expectRawOutcome(await patch(JSON.stringify([{ op: 'frobnicate', path: '/gender' }])), 400);
    expectRawOutcome(await patch(JSON.stringify([{ op: 'replace', value: 'male' }])), 400);
    expectRawOutcome(await patch('[{"op": "replace", "path": "/gender", '), 400);
    await expectUnchanged(ctx, v1);
  });

  it('answers 415 for a patch in another media type', async () => {
    const v1 = await newPatient(ctx);
    const body = JSON.stringify([{ op: 'replace', path: '/gender', value: 'male' }]);
    expectRawOutcome(await ctx.http('PATCH', `Patient/${v1.id}`, { headers: { 'Content-Type': 'application/fhir+json' }, body }), 415);
    expectRawOutcome(await ctx.http('PATCH', `Patient/${v1.id}`, { headers: { 'Content-Type': 'application/xml-patch+xml' }, body: '<diff/>' }), 415);
    await expectUnchanged(ctx, v1);
  });

  it('answers 404 for an unknown id and 410 for a deleted resource', async () => {
    await expectOutcome(ctx.client().patch({ resourceType: 'Patient', id: 'no-such-patient', jsonPatch: [{ op: 'replace', path: '/gender', value: 'male' }] }), 404);
    const v1 = await newPatient(ctx);
    await ctx.client().delete({ resourceType: 'Patient', id: v1.id });
    await expectOutcome(ctx.client().patch({ resourceType: 'Patient', id: v1.id, jsonPatch: [{ op: 'replace', path: '/gender', value: 'male' }] }), 410);
  });

  it('honours If-Match: a stale version is 412, the current one applies', async () => {
    const v1 = await newPatient(ctx);
    await ctx.client().patch({ resourceType: 'Patient', id: v1.id, jsonPatch: [{ op: 'replace', path: '/gender', value: 'other' }] });
    const patch = [{ op: 'replace' as const, path: '/gender', value: 'male' }];
    await expectOutcome(ctx.client().patch({ resourceType: 'Patient', id: v1.id, jsonPatch: patch, options: { headers: { 'If-Match': 'W/"1"' } } }), 412);
    const ok: any = await ctx.client().patch({ resourceType: 'Patient', id: v1.id, jsonPatch: patch, options: { headers: { 'If-Match': 'W/"2"' } } });
    expect(ok.meta.versionId).to.equal('3');
    expect(ok.gender).to.equal('male');
  });

  it('patches conditionally by identifier (PATCH Type?identifier=...)', async () => {
    const value = unique();
    const v1 = await newPatient(ctx, { identifier: [{ system: 'http://example.org/mrn', value }] });
    const res = await ctx.http('PATCH', `Patient?identifier=${encodeURIComponent(`http://example.org/mrn|${value}`)}`, {
      headers: { 'Content-Type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'replace', path: '/gender', value: 'male' }]),
    });
    expect(res.status).to.equal(200);
    expect(res.json.id).to.equal(v1.id);
    expect(res.json.gender).to.equal('male');
    expect(res.json.meta.versionId).to.equal('2');
  });
});

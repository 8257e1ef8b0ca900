import { expect } from 'chai';
import { expectRawOutcome, withServer, type ServerContext } from './harness';

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

const PATIENT = {
  resourceType: 'Patient',
  meta: { tag: [{ system: 'http://example.org/tags', code: 'mine' }] },
  text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Jane Doe</div>' },
  identifier: [{ system: 'http://example.org/mrn', value: '12345' }],
  name: [{ family: 'Doe', given: ['Jane'] }],
  gender: 'female',
  birthDate: '1980-01-02',
  maritalStatus: { text: 'married' },
  communication: [{ language: { text: 'English' } }],
};

async function post(ctx: ServerContext, body: unknown, headers: Record<string, string> = {}) {
  return ctx.http('POST', 'Patient', { body, headers });
}

function hasSubsettedTag(resource: any): boolean {
  return (resource.meta?.tag ?? []).some((t: any) => t.system === SUBSETTED.system && t.code === SUBSETTED.code);
}

withServer('conformance: HTTP details', (ctx) => {
  let patientId = '';
  before(async () => {
    patientId = ((await ctx.client().create({ resourceType: 'Patient', body: PATIENT })) as any).id;
  });

  describe('Prefer', () => {
    it('return=minimal: 201 with headers and an empty body', async () => {
      const res = await post(ctx, PATIENT, { Prefer: 'return=minimal' });
      expect(res.status).to.equal(201);
      expect(res.text).to.equal('');
      expect(res.headers.get('location')).to.match(/\/Patient\/[^/]+\/_history\/1$/);
      expect(res.headers.get('etag')).to.equal('W/"1"');
    });

    it('return=representation: the stored resource', async () => {
      const res = await post(ctx, PATIENT, { Prefer: 'return=representation' });
      expect(res.status).to.equal(201);
      expect(res.json).to.deep.include({ resourceType: 'Patient', name: PATIENT.name, gender: 'female' });
      expect(res.json.meta.versionId).to.equal('1');
      expect(res.headers.get('location')).to.contain(`/Patient/${res.json.id}/_history/1`);
    });

    it('return=OperationOutcome: an OperationOutcome about the write', async () => {
      const res = await post(ctx, PATIENT, { Prefer: 'return=OperationOutcome' });
      expect(res.status).to.equal(201);
      expect(res.json.resourceType).to.equal('OperationOutcome');
      expect(res.json.issue).to.be.an('array').that.is.not.empty;
      expect(res.headers.get('location')).to.match(/\/Patient\/[^/]+\/_history\/1$/);
    });

    it('applies to updates and patches too', async () => {
      const created = await post(ctx, PATIENT);
      const id = created.json.id;
      const put = await ctx.http('PUT', `Patient/${id}`, { body: { ...PATIENT, id, gender: 'male' }, headers: { Prefer: 'return=minimal' } });
      expect(put.status).to.equal(200);
      expect(put.text).to.equal('');
      expect(put.headers.get('etag')).to.equal('W/"2"');
      const patch = await ctx.http('PATCH', `Patient/${id}`, {
        body: JSON.stringify([{ op: 'replace', path: '/gender', value: 'other' }]),
        headers: { 'Content-Type': 'application/json-patch+json', Prefer: 'return=OperationOutcome' },
      });
      expect(patch.status).to.equal(200);
      expect(patch.json.resourceType).to.equal('OperationOutcome');
      expect((await ctx.http('GET', `Patient/${id}`)).json.gender).to.equal('other');
    });
  });

  describe('_summary and _elements on read', () => {
    it('_summary=true keeps summary elements only and tags the result SUBSETTED', async () => {
      const res = await ctx.http('GET', `Patient/${patientId}?_summary=true`);
      expect(res.status).to.equal(200);
      expect(res.json).to.include.keys('id', 'meta', 'identifier', 'name', 'gender', 'birthDate');
      expect(res.json).to.not.have.any.keys('text', 'maritalStatus', 'communication');
      expect(hasSubsettedTag(res.json)).to.equal(true);
      expect(res.json.meta.tag).to.deep.include(PATIENT.meta.tag[0]);
    });

    it('_summary=true drops non-summary elements inside backbone elements', async () => {
      const obs: any = await ctx.client().create({
        resourceType: 'Observation',
        body: {
          resourceType: 'Observation',
          status: 'final',
          code: { text: 'blood pressure' },
          component: [{ code: { text: 'systolic' }, valueQuantity: { value: 120 }, interpretation: [{ text: 'normal' }] }],
        },
      });
      const res = await ctx.http('GET', `Observation/${obs.id}?_summary=true`);
      expect(res.json.component[0]).to.include.keys('code', 'valueQuantity');
      expect(res.json.component[0], 'Observation.component.interpretation is not a summary element').to.not.have.property('interpretation');
    });

    it('_summary=text keeps text, id, meta and mandatory elements', async () => {
      const res = await ctx.http('GET', `Patient/${patientId}?_summary=text`);
      expect(Object.keys(res.json).sort()).to.deep.equal(['id', 'meta', 'resourceType', 'text']);
      expect(hasSubsettedTag(res.json)).to.equal(true);
    });

    it('_summary=data removes only the text', async () => {
      const res = await ctx.http('GET', `Patient/${patientId}?_summary=data`);
      expect(res.json).to.not.have.property('text');
      expect(res.json).to.include.keys('maritalStatus', 'communication', 'name');
      expect(hasSubsettedTag(res.json)).to.equal(true);
    });

    it('_summary=false returns the whole resource without the tag', async () => {
      const res = await ctx.http('GET', `Patient/${patientId}?_summary=false`);
      expect(res.json.text).to.deep.equal(PATIENT.text);
      expect(hasSubsettedTag(res.json)).to.equal(false);
    });

    it('_elements keeps the listed elements plus id and meta', async () => {
      const res = await ctx.http('GET', `Patient/${patientId}?_elements=gender,birthDate`);
      expect(Object.keys(res.json).sort()).to.deep.equal(['birthDate', 'gender', 'id', 'meta', 'resourceType']);
      expect(hasSubsettedTag(res.json)).to.equal(true);
    });

    it('applies to vread and never changes the stored resource', async () => {
      const res = await ctx.http('GET', `Patient/${patientId}/_history/1?_elements=name`);
      expect(res.json).to.have.property('name');
      expect(res.json).to.not.have.property('gender');
      expect(hasSubsettedTag(res.json)).to.equal(true);
      const full = await ctx.http('GET', `Patient/${patientId}`);
      expect(full.json.gender).to.equal('female');
      expect(hasSubsettedTag(full.json)).to.equal(false);
    });

    it('answers 400 for an unknown _summary mode', async () => {
      expectRawOutcome(await ctx.http('GET', `Patient/${patientId}?_summary=most`), 400);
    });
  });

  describe('formats', () => {
    it('serves FHIR JSON by default and for _format=json or application/fhir+json', async () => {
      for (const q of ['', '?_format=json', '?_format=application/fhir%2Bjson', '?_format=application/json']) {
        const res = await ctx.http('GET', `Patient/${patientId}${q}`);
        expect(res.status, q).to.equal(200);
        expect(res.headers.get('content-type'), q).to.match(/^application\/(fhir\+)?json(;|$)/);
        expect(res.json.id).to.equal(patientId);
      }
    });

    it('accepts Accept lists that include JSON', async () => {
      for (const accept of ['application/fhir+json', 'application/json', '*/*', 'application/fhir+xml;q=0.9, application/fhir+json;q=0.5']) {
        const res = await ctx.http('GET', `Patient/${patientId}`, { headers: { Accept: accept } });
        expect(res.status, accept).to.equal(200);
        expect(res.headers.get('content-type'), accept).to.match(/^application\/(fhir\+)?json/);
      }
    });

    it('answers 406 for XML by _format or Accept, with a JSON OperationOutcome', async () => {
      for (const q of ['_format=xml', '_format=application/fhir%2Bxml', '_format=text/xml']) {
        expectRawOutcome(await ctx.http('GET', `Patient/${patientId}?${q}`), 406);
        expectRawOutcome(await ctx.http('GET', `metadata?${q}`), 406);
      }
      expectRawOutcome(await ctx.http('GET', `Patient/${patientId}`, { headers: { Accept: 'application/fhir+xml' } }), 406);
      expectRawOutcome(await ctx.http('GET', 'metadata', { headers: { Accept: 'application/xml' } }), 406);
    });

    it('indents with _pretty=true and not otherwise', async () => {
      const pretty = await ctx.http('GET', `Patient/${patientId}?_pretty=true`);
      expect(pretty.text).to.match(/^\{\n\s+"resourceType": "Patient"/);
      expect(JSON.parse(pretty.text).id).to.equal(patientId);
      expect((await ctx.http('GET', `Patient/${patientId}?_pretty=false`)).text).to.not.contain('\n');
      expect((await ctx.http('GET', `Patient/${patientId}`)).text).to.not.contain('\n');
    });

    it('keeps non-ASCII text intact', async () => {
      const name = [{ family: 'Ærøskøbing-Müller', given: ['Zoë', '晓明', '🙂'] }];
      const created = await post(ctx, { resourceType: 'Patient', name }, { 'Content-Type': 'application/fhir+json; charset=utf-8' });
      expect(created.status).to.equal(201);
      expect((await ctx.http('GET', `Patient/${created.json.id}`)).json.name).to.deep.equal(name);
    });
  });

  describe('request bodies', () => {
    it('accepts application/json and application/fhir+json bodies', async () => {
      expect((await post(ctx, PATIENT, { 'Content-Type': 'application/json' })).status).to.equal(201);
      expect((await post(ctx, PATIENT, { 'Content-Type': 'application/fhir+json;charset=UTF-8' })).status).to.equal(201);
    });

    it('answers 415 for XML or other bodies', async () => {
      const xml = '<Patient xmlns="http://hl7.org/fhir"><gender value="male"/></Patient>';
      expectRawOutcome(await post(ctx, xml, { 'Content-Type': 'application/fhir+xml' }), 415);
      expectRawOutcome(await post(ctx, xml, { 'Content-Type': 'application/xml' }), 415);
      expectRawOutcome(await post(ctx, JSON.stringify(PATIENT), { 'Content-Type': 'text/plain' }), 415);
      expectRawOutcome(await ctx.http('PUT', `Patient/${patientId}`, { body: xml, headers: { 'Content-Type': 'application/fhir+xml' } }), 415);
    });

    it('answers 400 for malformed JSON, empty bodies and non-objects', async () => {
      const json = { 'Content-Type': 'application/fhir+json' };
      expectRawOutcome(await post(ctx, '{"resourceType": "Patient", ', json), 400);
      expectRawOutcome(await post(ctx, "{'resourceType': 'Patient'}", json), 400);
      expectRawOutcome(await post(ctx, '', json), 400);
      expectRawOutcome(await post(ctx, '[{"resourceType": "Patient"}]', json), 400);
      expectRawOutcome(await post(ctx, '"Patient"', json), 400);
      expectRawOutcome(await post(ctx, 'null', json), 400);
      expectRawOutcome(await ctx.http('PUT', `Patient/${patientId}`, { body: '{"resourceType":', headers: json }), 400);
    });
  });
});

withServer(
  'conformance: request size limit',
  (ctx) => {
    const padded = (bytes: number) => ({ resourceType: 'Patient', name: [{ text: 'x'.repeat(bytes) }] });

    it('accepts a body under HEARTH_MAX_BODY_BYTES', async () => {
      expect((await ctx.http('POST', 'Patient', { body: padded(1_000) })).status).to.equal(201);
    });

    it('answers 413 with an OperationOutcome for a body over the limit', async () => {
      expectRawOutcome(await ctx.http('POST', 'Patient', { body: padded(5_000) }), 413);
      expectRawOutcome(await ctx.http('PUT', 'Patient/big', { body: { ...padded(5_000), id: 'big' } }), 413);
      expectRawOutcome(await ctx.http('GET', 'Patient/big'), 404);
    });

    it('answers 413 for a chunked body over the limit (no Content-Length)', async () => {
      const chunk = new TextEncoder().encode(JSON.stringify(padded(5_000)));
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < chunk.length; i += 512) controller.enqueue(chunk.subarray(i, i + 512));
          controller.close();
        },
      });
      const res = await fetch(`${ctx.url()}/Patient`, { method: 'POST', headers: { 'Content-Type': 'application/fhir+json' }, body: stream, duplex: 'half' } as RequestInit);
      expect(res.status).to.equal(413);
      expect(((await res.json()) as { resourceType?: string }).resourceType).to.equal('OperationOutcome');
    });
  },
  { env: { HEARTH_MAX_BODY_BYTES: '4096' } },
);

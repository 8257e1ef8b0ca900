import { expect } from 'chai';
import { errorExpressions, expectOutcome, expectRawOutcome, withServer, type ServerContext } from './harness';

/** Number of versions of one type, read from the type history. */
async function typeVersions(ctx: ServerContext, type: string): Promise<number> {
  const bundle: any = await ctx.client().request(`${type}/_history?_count=1000`);
  return (bundle.entry ?? []).length;
}

withServer('conformance: errors', (ctx) => {
  describe('invalid resources (400, every issue with its expression, nothing stored)', () => {
    it('reports a code outside a required value set at its element', async () => {
      const outcome = await expectOutcome(ctx.client().create({ resourceType: 'Patient', body: { resourceType: 'Patient', gender: 'bogus' } }), 400);
      expect(errorExpressions(outcome)).to.include('Patient.gender');
    });

    it('reports a missing mandatory element', async () => {
      const outcome = await expectOutcome(ctx.client().create({ resourceType: 'Observation', body: { resourceType: 'Observation', code: { text: 'x' } } }), 400);
      expect(errorExpressions(outcome)).to.include('Observation.status');
    });

    it('reports every problem of one resource in one OperationOutcome', async () => {
      const body = { resourceType: 'Observation', status: 'not-a-status', valueQuantity: { value: 'seven' }, favouriteColour: 'blue', subject: { reference: 42 } };
      const outcome = await expectOutcome(ctx.client().create({ resourceType: 'Observation', body }), 400);
      const expressions = errorExpressions(outcome);
      expect(expressions).to.include.members(['Observation.status', 'Observation.code', 'Observation.favouriteColour', 'Observation.subject.reference']);
      expect(expressions.some((e) => /^Observation\.value(Quantity|\.ofType\(Quantity\))\.value$/.test(e)), expressions.join(', ')).to.equal(true);
      expect(outcome.issue.filter((i: any) => i.severity === 'error').length).to.be.at.least(5);
    });

    it('rejects calendar dates that do not exist', async () => {
      for (const [element, value] of [['birthDate', '2021-02-29'], ['birthDate', '2020-04-31'], ['deceasedDateTime', '2020-02-30T10:00:00Z']]) {
        const res = await ctx.http('POST', 'Patient', { body: { resourceType: 'Patient', [element]: value } });
        expect(res.status, `${element} ${value} → ${res.status}`).to.equal(400);
        const expressions = errorExpressions(expectRawOutcome(res, 400));
        expect(expressions.some((e) => e.startsWith(`Patient.${element.replace('DateTime', '')}`)), `${element} ${value}: ${expressions.join(', ')}`).to.equal(true);
      }
      expect((await ctx.http('POST', 'Patient', { body: { resourceType: 'Patient', birthDate: '2020-02-29' } })).status).to.equal(201);
    });

    it('stores strings with control characters faithfully or refuses them with 400, never failing with 500', async () => {
      for (const family of ['nul \u0000 byte', 'bell \u0007', 'escape \u001b[0m', 'tab\there\r\nnext line']) {
        const res = await ctx.http('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family }] } });
        if (res.status === 201) expect((await ctx.http('GET', `Patient/${res.json.id}`)).json.name[0].family, JSON.stringify(family)).to.equal(family);
        else expect(errorExpressions(expectRawOutcome(res, 400)), `${JSON.stringify(family)}: ${res.status} ${res.text}`).to.include('Patient.name[0].family');
      }
    });

    it('points into arrays and nested elements', async () => {
      const body = { resourceType: 'Patient', name: [{ family: 'ok' }, { given: [42] }], telecom: [{ system: 'pigeon', value: 'x' }] };
      const outcome = await expectOutcome(ctx.client().create({ resourceType: 'Patient', body }), 400);
      const expressions = errorExpressions(outcome);
      expect(expressions).to.include('Patient.name[1].given[0]');
      expect(expressions).to.include('Patient.telecom[0].system');
    });

    it('rejects wrong primitive types and formats', async () => {
      const cases: [any, string][] = [
        [{ resourceType: 'Patient', active: 'yes' }, 'Patient.active'],
        [{ resourceType: 'Patient', birthDate: '1980-1-1' }, 'Patient.birthDate'],
        [{ resourceType: 'Patient', birthDate: '' }, 'Patient.birthDate'],
        [{ resourceType: 'Patient', name: { family: 'not-an-array' } }, 'Patient.name'],
        [{ resourceType: 'Patient', multipleBirthInteger: 1.5 }, 'Patient.multipleBirth'],
        [{ resourceType: 'Patient', gender: null }, 'Patient.gender'],
      ];
      for (const [body, expression] of cases) {
        const outcome = await expectOutcome(ctx.client().create({ resourceType: 'Patient', body }), 400);
        const expressions = errorExpressions(outcome);
        expect(expressions.some((e) => e === expression || e.startsWith(`${expression}`)), `${JSON.stringify(body)} → ${expressions.join(', ')}`).to.equal(true);
      }
    });

    it('validates contained resources', async () => {
      const body = { resourceType: 'Patient', contained: [{ resourceType: 'Organization', id: 'org', active: 'maybe' }], managingOrganization: { reference: '#org' } };
      const outcome = await expectOutcome(ctx.client().create({ resourceType: 'Patient', body }), 400);
      expect(errorExpressions(outcome).some((e) => /^Patient\.contained\[0\].*active$/.test(e)), errorExpressions(outcome).join(', ')).to.equal(true);
    });

    it('stores nothing for an invalid create or update', async () => {
      const before = await typeVersions(ctx, 'Patient');
      await expectOutcome(ctx.client().create({ resourceType: 'Patient', body: { resourceType: 'Patient', gender: 'bogus' } }), 400);
      const valid: any = await ctx.client().create({ resourceType: 'Patient', body: { resourceType: 'Patient', gender: 'male' } });
      await expectOutcome(ctx.client().update({ resourceType: 'Patient', id: valid.id, body: { ...valid, gender: 'bogus' } }), 400);
      await expectOutcome(ctx.client().update({ resourceType: 'Patient', id: 'never-stored', body: { resourceType: 'Patient', id: 'never-stored', gender: 'bogus' } }), 400);
      expect(await typeVersions(ctx, 'Patient')).to.equal(before + 1);
      expect(await ctx.client().read({ resourceType: 'Patient', id: valid.id })).to.deep.equal(valid);
      await expectOutcome(ctx.client().read({ resourceType: 'Patient', id: 'never-stored' }), 404);
    });
  });

  describe('mismatches between URL and body (400)', () => {
    it('refuses a resourceType that does not match the URL', async () => {
      await expectOutcome(ctx.client().create({ resourceType: 'Patient', body: { resourceType: 'Observation', status: 'final', code: { text: 'x' } } }), 400);
      await expectOutcome(ctx.client().update({ resourceType: 'Patient', id: 'mismatch', body: { resourceType: 'Practitioner', id: 'mismatch' } }), 400);
      await expectOutcome(ctx.client().create({ resourceType: 'Patient', body: { gender: 'male' } as any }), 400);
      await expectOutcome(ctx.client().read({ resourceType: 'Patient', id: 'mismatch' }), 404);
      await expectOutcome(ctx.client().read({ resourceType: 'Practitioner', id: 'mismatch' }), 404);
    });

    it('refuses an update whose body id differs from the URL id, or has none', async () => {
      const valid: any = await ctx.client().create({ resourceType: 'Patient', body: { resourceType: 'Patient', gender: 'male' } });
      const outcome = await expectOutcome(ctx.client().update({ resourceType: 'Patient', id: valid.id, body: { ...valid, id: 'other-id', gender: 'female' } }), 400);
      expect(JSON.stringify(outcome)).to.contain('id');
      await expectOutcome(ctx.client().update({ resourceType: 'Patient', id: valid.id, body: { resourceType: 'Patient', gender: 'female' } }), 400);
      expect(await ctx.client().read({ resourceType: 'Patient', id: valid.id })).to.deep.equal(valid);
      await expectOutcome(ctx.client().read({ resourceType: 'Patient', id: 'other-id' }), 404);
    });

    it('refuses ids that are not FHIR ids', async () => {
      const long = 'a'.repeat(65);
      expectRawOutcome(await ctx.http('PUT', `Patient/${long}`, { body: { resourceType: 'Patient', id: long } }), 400);
      expectRawOutcome(await ctx.http('PUT', 'Patient/under_score', { body: { resourceType: 'Patient', id: 'under_score' } }), 400);
      expectRawOutcome(await ctx.http('GET', `Patient/${long}`), [400, 404]);
    });
  });

  describe('unknown things', () => {
    it('answers 404 for an unknown resource type', async () => {
      expectRawOutcome(await ctx.http('GET', 'Patientx/1'), 404);
      expectRawOutcome(await ctx.http('POST', 'Foo', { body: { resourceType: 'Foo' } }), 404);
      expectRawOutcome(await ctx.http('PUT', 'Foo/1', { body: { resourceType: 'Foo', id: '1' } }), 404);
      expectRawOutcome(await ctx.http('GET', 'patient/1'), 404);
      expectRawOutcome(await ctx.http('GET', 'DomainResource/1'), 404);
      expectRawOutcome(await ctx.http('POST', 'SubscriptionStatus', { body: { resourceType: 'SubscriptionStatus', status: 'active', type: 'heartbeat' } }), 404);
    });

    it('answers 404 for an unknown id', async () => {
      expectRawOutcome(await ctx.http('GET', 'Patient/unknown-id'), 404);
      expectRawOutcome(await ctx.http('GET', 'Patient/unknown-id/_history/1'), 404);
      expectRawOutcome(await ctx.http('GET', 'Patient/unknown-id/_history'), 404);
      const created: any = await ctx.client().create({ resourceType: 'Patient', body: { resourceType: 'Patient' } });
      expectRawOutcome(await ctx.http('GET', `Patient/${created.id}/_history/0`), 404);
      expectRawOutcome(await ctx.http('GET', `Patient/${created.id}/_history/abc`), [400, 404]);
    });

    it('answers 404 for paths outside the API', async () => {
      expectRawOutcome(await ctx.http('GET', `${new URL(ctx.url()).origin}/nothing-here`), 404);
    });

    it('answers 405 for methods a URL does not support', async () => {
      const created: any = await ctx.client().create({ resourceType: 'Patient', body: { resourceType: 'Patient' } });
      expectRawOutcome(await ctx.http('POST', `Patient/${created.id}`, { body: { resourceType: 'Patient' } }), 405);
      expectRawOutcome(await ctx.http('DELETE', 'metadata'), 405);
      expectRawOutcome(await ctx.http('PUT', `Patient/${created.id}/_history/1`, { body: { resourceType: 'Patient', id: created.id } }), 405);
      expectRawOutcome(await ctx.http('DELETE', `Patient/${created.id}/_history`), 405);
      expect((await ctx.http('GET', `Patient/${created.id}`)).status).to.equal(200);
    });

    it('answers 400 for conditional criteria it cannot evaluate, changing nothing', async () => {
      const created: any = await ctx.client().create({ resourceType: 'Patient', body: { resourceType: 'Patient', gender: 'male' } });
      expectRawOutcome(await ctx.http('DELETE', 'Patient?gender:above=male'), 400);
      expectRawOutcome(await ctx.http('PUT', 'Patient?nonsense=1', { body: { resourceType: 'Patient' } }), 400);
      expectRawOutcome(await ctx.http('DELETE', 'Patient'), 400);
      expect(((await ctx.client().read({ resourceType: 'Patient', id: created.id })) as any).meta.versionId).to.equal('1');
    });

    it('answers 400 for a malformed If-Match', async () => {
      const created: any = await ctx.client().create({ resourceType: 'Patient', body: { resourceType: 'Patient' } });
      await expectOutcome(ctx.client().update({ resourceType: 'Patient', id: created.id, body: created, options: { headers: { 'If-Match': 'version one' } } }), [400, 412]);
      expect(((await ctx.client().read({ resourceType: 'Patient', id: created.id })) as any).meta.versionId).to.equal('1');
    });
  });

  describe('error bodies', () => {
    it('are OperationOutcomes with no stack traces or SQL, even for hostile input', async () => {
      const hostile = `x'); DROP TABLE resources; --`;
      const requests: [string, string, unknown?][] = [
        ['GET', `Patient/${encodeURIComponent(hostile)}`],
        ['DELETE', `Patient?identifier=${encodeURIComponent(hostile)}&_id=${encodeURIComponent(hostile)}`],
        ['GET', `Patient/_history?_since=${encodeURIComponent(hostile)}`],
        ['GET', `_history?_page=${encodeURIComponent(hostile)}`],
        ['POST', 'Patient', { resourceType: 'Patient', id: hostile, name: [{ family: hostile }], birthDate: hostile }],
        ['POST', 'Patient', JSON.parse('{"resourceType": "Patient", "__proto__": {"admin": true}, "constructor": {"prototype": {}}}')],
        ['POST', 'Patient', '\u0000'],
        ['PUT', `Patient?identifier=${encodeURIComponent('nul \u0000 byte')}`, { resourceType: 'Patient' }],
        ['GET', `Patient/${'x'.repeat(5000)}`],
      ];
      for (const [method, path, body] of requests) {
        const res = await ctx.http(method, path, { body, headers: { 'Content-Type': 'application/fhir+json' } });
        const what = `${method} ${path.slice(0, 80)} → ${res.status} ${res.text.slice(0, 300)}`;
        expect(res.status, what).to.be.below(500);
        if (res.status >= 400) expectRawOutcome(res, res.status);
      }
    });

    it('gives 410 for a deleted resource as an OperationOutcome', async () => {
      const created: any = await ctx.client().create({ resourceType: 'Patient', body: { resourceType: 'Patient' } });
      await ctx.client().delete({ resourceType: 'Patient', id: created.id });
      expectRawOutcome(await ctx.http('GET', `Patient/${created.id}`), 410);
    });
  });
});

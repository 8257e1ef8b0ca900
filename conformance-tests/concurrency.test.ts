import { expect } from 'chai';
import { expectOutcome, failure, responseOf, unique, withServer, type ServerContext } from './harness';

const RACERS = 8;

/** Settles every call and returns the HTTP status of each (fhir-kit-client throws for non-2xx). */
async function statuses(calls: Promise<unknown>[]): Promise<number[]> {
  return Promise.all(calls.map((c) => c.then((r) => responseOf(r).status, async (e) => (await failure(Promise.reject(e))).status)));
}

async function newObservation(ctx: ServerContext): Promise<any> {
  return ctx.client().create({ resourceType: 'Observation', body: { resourceType: 'Observation', status: 'preliminary', code: { text: 'heart rate' } } });
}

withServer('conformance: version-aware updates and concurrency', (ctx) => {
  describe('If-Match', () => {
    it('updates when If-Match names the current version', async () => {
      const v1 = await newObservation(ctx);
      const v2: any = await ctx.client().update({ resourceType: 'Observation', id: v1.id, body: { ...v1, status: 'final' }, options: { headers: { 'If-Match': 'W/"1"' } } });
      expect(responseOf(v2).status).to.equal(200);
      expect(v2.meta.versionId).to.equal('2');
    });

    it('answers 412 for a stale version and changes nothing', async () => {
      const v1 = await newObservation(ctx);
      const v2: any = await ctx.client().update({ resourceType: 'Observation', id: v1.id, body: { ...v1, status: 'final' } });
      await expectOutcome(ctx.client().update({ resourceType: 'Observation', id: v1.id, body: { ...v1, status: 'amended' }, options: { headers: { 'If-Match': 'W/"1"' } } }), 412);
      await expectOutcome(ctx.client().update({ resourceType: 'Observation', id: v1.id, body: { ...v1, status: 'amended' }, options: { headers: { 'If-Match': 'W/"7"' } } }), 412);
      expect(await ctx.client().read({ resourceType: 'Observation', id: v1.id })).to.deep.equal(v2);
    });

    it('refuses an If-Match update of a resource that does not exist', async () => {
      const id = unique('obs');
      const f = await failure(ctx.client().update({ resourceType: 'Observation', id, body: { resourceType: 'Observation', id, status: 'final', code: { text: 'x' } }, options: { headers: { 'If-Match': 'W/"3"' } } }));
      expect(f.status).to.be.oneOf([404, 409, 412]);
      await expectOutcome(ctx.client().read({ resourceType: 'Observation', id }), 404);
    });
  });

  describe('concurrent writes', () => {
    it(`lets exactly one of ${RACERS} updates with the same If-Match win; the rest get 412`, async () => {
      const v1 = await newObservation(ctx);
      const results = await statuses(
        Array.from({ length: RACERS }, (_, i) =>
          ctx.client().update({ resourceType: 'Observation', id: v1.id, body: { ...v1, valueString: `racer ${i}` }, options: { headers: { 'If-Match': 'W/"1"' } } }),
        ),
      );
      expect(results.filter((s) => s === 200 || s === 201), results.join(',')).to.have.length(1);
      expect(results.filter((s) => s === 412), results.join(',')).to.have.length(RACERS - 1);
      const bundle: any = await ctx.client().history({ resourceType: 'Observation', id: v1.id });
      expect(bundle.entry).to.have.length(2);
    });

    it(`lets exactly one of ${RACERS} patches with the same If-Match win`, async () => {
      const v1 = await newObservation(ctx);
      const results = await statuses(
        Array.from({ length: RACERS }, (_, i) =>
          ctx.client().patch({ resourceType: 'Observation', id: v1.id, jsonPatch: [{ op: 'add', path: '/valueString', value: `racer ${i}` }], options: { headers: { 'If-Match': 'W/"1"' } } }),
        ),
      );
      expect(results.filter((s) => s === 200), results.join(',')).to.have.length(1);
      expect(results.filter((s) => s === 412), results.join(',')).to.have.length(RACERS - 1);
    });

    it(`applies ${RACERS} concurrent patches without If-Match, each to the then current version`, async () => {
      const v1: any = await ctx.client().create({ resourceType: 'Patient', body: { resourceType: 'Patient', identifier: [{ value: 'p0' }] } });
      const results = await Promise.all(
        Array.from({ length: RACERS }, (_, i) =>
          ctx.http('PATCH', `Patient/${v1.id}`, { headers: { 'Content-Type': 'application/json-patch+json' }, body: JSON.stringify([{ op: 'add', path: '/identifier/-', value: { value: `p${i + 1}` } }]) }),
        ),
      );
      expect(results.map((r) => r.status), results.map((r) => `${r.status} ${r.text.slice(0, 200)}`).join('\n')).to.deep.equal(Array(RACERS).fill(200));
      const final: any = await ctx.client().read({ resourceType: 'Patient', id: v1.id });
      expect(final.identifier.map((i: any) => i.value)).to.have.members(Array.from({ length: RACERS + 1 }, (_, i) => `p${i}`));
      expect(final.meta.versionId).to.equal(String(RACERS + 1));
    });

    it(`serializes ${RACERS} unconditional updates into distinct consecutive versions`, async () => {
      const v1 = await newObservation(ctx);
      const results: any[] = await Promise.all(
        Array.from({ length: RACERS }, (_, i) => ctx.client().update({ resourceType: 'Observation', id: v1.id, body: { ...v1, valueString: `writer ${i}` } })),
      );
      const versions = results.map((r) => Number(r.meta.versionId)).sort((a, b) => a - b);
      expect(versions).to.deep.equal(Array.from({ length: RACERS }, (_, i) => i + 2));
      const bundle: any = await ctx.client().request(`Observation/${v1.id}/_history?_count=100`);
      expect(bundle.entry.map((e: any) => e.resource.meta.versionId)).to.deep.equal(Array.from({ length: RACERS + 1 }, (_, i) => String(RACERS + 1 - i)));
      const last = bundle.entry[0].resource;
      expect(await ctx.client().read({ resourceType: 'Observation', id: v1.id })).to.deep.equal(last);
    });

    it(`creates a new id once when ${RACERS} updates race to create it (5 rounds)`, async () => {
      for (let round = 0; round < 5; round++) {
        const id = unique('race');
        const results: any[] = await Promise.all(
          Array.from({ length: RACERS }, (_, i) => ctx.client().update({ resourceType: 'Observation', id, body: { resourceType: 'Observation', id, status: 'final', code: { text: `c${i}` } } })),
        );
        const summary = results.map((r) => `${responseOf(r).status} v${r.meta.versionId}`).join(', ');
        expect(results.map((r) => Number(r.meta.versionId)).sort((a, b) => a - b), summary).to.deep.equal(Array.from({ length: RACERS }, (_, i) => i + 1));
        for (const r of results) expect(responseOf(r).status, `round ${round}: version ${r.meta.versionId} of ${summary}`).to.equal(r.meta.versionId === '1' ? 201 : 200);
      }
    });

    it(`creates one resource when ${RACERS} conditional creates race on the same identifier`, async () => {
      const value = unique();
      const body = { resourceType: 'Patient', identifier: [{ system: 'http://example.org/race', value }] };
      const results: any[] = await Promise.all(
        Array.from({ length: RACERS }, () => ctx.client().create({ resourceType: 'Patient', body, options: { headers: { 'If-None-Exist': `identifier=http://example.org/race|${value}` } } })),
      );
      expect(new Set(results.map((r) => r.id)).size, 'distinct ids created').to.equal(1);
      expect(results.filter((r) => responseOf(r).status === 201)).to.have.length(1);
      expect(results.filter((r) => responseOf(r).status === 200)).to.have.length(RACERS - 1);
    });

    it(`updates one resource when ${RACERS} conditional updates race on a new identifier`, async () => {
      const value = unique();
      const results: any[] = await Promise.all(
        Array.from({ length: RACERS }, (_, i) =>
          ctx.client().update({ resourceType: 'Patient', searchParams: { identifier: `http://example.org/race|${value}` }, body: { resourceType: 'Patient', identifier: [{ system: 'http://example.org/race', value }], gender: i % 2 ? 'male' : 'female' } }),
        ),
      );
      expect(new Set(results.map((r) => r.id)).size, 'distinct ids created').to.equal(1);
      expect(results.map((r) => Number(r.meta.versionId)).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: RACERS }, (_, i) => i + 1));
    });

    it(`deletes once when ${RACERS} deletes race`, async () => {
      const v1 = await newObservation(ctx);
      const results = await Promise.all(Array.from({ length: RACERS }, () => ctx.http('DELETE', `Observation/${v1.id}`)));
      expect(results.every((r) => r.status === 200 || r.status === 204), results.map((r) => `${r.status} ${r.text.slice(0, 200)}`).join('\n')).to.equal(true);
      const bundle: any = await ctx.client().history({ resourceType: 'Observation', id: v1.id });
      expect(bundle.entry.map((e: any) => e.request.method)).to.deep.equal(['DELETE', 'POST']);
    });
  });
});

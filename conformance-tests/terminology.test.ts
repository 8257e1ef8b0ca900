import { expect } from 'chai';
import { expectOutcome, responseOf, unique, withServer } from './harness';

/**
 * Terminology in search through fhir-kit-client: a CodeSystem and ValueSet uploaded over HTTP are
 * used by :in / :not-in / :below / :above at once; search entries of a batch Bundle answer with
 * their searchset Bundles.
 */

const matchIds = (bundle: any): string[] => (bundle.entry ?? []).filter((e: any) => e.search?.mode === 'match').map((e: any) => e.resource.id).sort();

withServer('conformance: terminology in search', (ctx) => {
  const tag = unique('term');
  const SYS = `http://example.org/CodeSystem/${tag}`;
  const VS = `http://example.org/ValueSet/${tag}`;
  const scope = `http://example.org/test-run|${tag}`;
  const ids: Record<string, string> = {};

  before(async () => {
    const client = ctx.client();
    await client.create({
      resourceType: 'CodeSystem',
      body: {
        resourceType: 'CodeSystem', url: SYS, status: 'active', content: 'complete',
        concept: [{ code: 'vehicle', concept: [{ code: 'car', concept: [{ code: 'taxi' }] }, { code: 'bike' }] }, { code: 'house' }],
      },
    });
    await client.create({
      resourceType: 'ValueSet',
      body: { resourceType: 'ValueSet', url: VS, status: 'active', compose: { include: [{ system: SYS, filter: [{ property: 'concept', op: 'descendent-of', value: 'vehicle' }] }] } },
    });
    for (const code of ['vehicle', 'car', 'taxi', 'bike', 'house']) {
      const created: any = await client.create({
        resourceType: 'Observation',
        body: { resourceType: 'Observation', meta: { tag: [{ system: 'http://example.org/test-run', code: tag }] }, status: 'final', code: { coding: [{ system: SYS, code }] } },
      });
      ids[code] = created.id;
    }
  });
  const search = async (params: Record<string, string>): Promise<string[]> =>
    matchIds(await ctx.client().search({ resourceType: 'Observation', searchParams: { _tag: scope, ...params } }));
  const of = (...codes: string[]): string[] => codes.map((c) => ids[c]!).sort();

  it('code:in and code:not-in use the uploaded ValueSet', async () => {
    expect(await search({ 'code:in': VS })).to.deep.equal(of('car', 'taxi', 'bike'));
    expect(await search({ 'code:not-in': VS })).to.deep.equal(of('vehicle', 'house'));
  });

  it('code:below and code:above follow the uploaded hierarchy', async () => {
    expect(await search({ 'code:below': `${SYS}|car` })).to.deep.equal(of('car', 'taxi'));
    expect(await search({ 'code:above': `${SYS}|taxi` })).to.deep.equal(of('vehicle', 'car', 'taxi'));
  });

  it('an unknown ValueSet is a 400 OperationOutcome', async () => {
    const outcome = await expectOutcome(ctx.client().search({ resourceType: 'Observation', searchParams: { 'code:in': 'http://example.org/ValueSet/none' } }), 400);
    expect(outcome.issue[0].diagnostics).to.contain('http://example.org/ValueSet/none');
  });

  it('batch GET search entries answer with searchset Bundles', async () => {
    const body = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { request: { method: 'GET', url: `Observation?_tag=${encodeURIComponent(scope)}&code:below=${encodeURIComponent(`${SYS}|vehicle`)}` } },
        { request: { method: 'GET', url: 'metadata' } },
      ],
    };
    const result: any = await ctx.client().batch({ body });
    expect(responseOf(result).status).to.equal(200);
    expect(result.entry.map((e: any) => e.response.status)).to.deep.equal(['200 OK', '200 OK']);
    expect(result.entry[0].resource.type).to.equal('searchset');
    expect(matchIds(result.entry[0].resource)).to.deep.equal(of('vehicle', 'car', 'taxi', 'bike'));
    expect(result.entry[1].resource.resourceType).to.equal('CapabilityStatement');
  });
});

import { expect } from 'chai';
import { withServer, type HttpResponse, type ServerContext } from './harness';

const PATIENT = { resourceType: 'Patient', name: [{ family: 'Openapi', given: ['Ada'] }], identifier: [{ system: 'http://example.org/mrn', value: 'oa-1' }] };

interface Call {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A concrete request for a documented operation: path variables filled, criteria and bodies supplied. */
function concrete(method: string, template: string, id: string): Call {
  let path = template.replace('{id}', id).replace('{vid}', '1').replace('{compartmentType}', 'Observation');
  const typeLevel = /^\/[A-Z][A-Za-z]+$/.test(template);
  if (typeLevel && method !== 'post') path += `?_id=${id}`;
  if (method === 'patch') return { method, path, headers: { 'Content-Type': 'application/json-patch+json' }, body: JSON.stringify([{ op: 'replace', path: '/active', value: true }]) };
  if (method === 'put') return { method, path, body: { ...PATIENT, id } };
  if (template.endsWith('/_search')) return { method, path, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `_id=${id}` };
  if (template.includes('$')) return { method, path, body: method === 'post' ? { resourceType: 'Parameters' } : undefined };
  if (template === '/' && method === 'post') return { method, path, body: { resourceType: 'Bundle', type: 'batch', entry: [] } };
  if (method === 'post') return { method, path, body: PATIENT };
  return { method, path };
}

/** The response shows a route served it: not 405, not the router's "No route" 404, not a server error. */
function expectServed(call: Call, res: HttpResponse): void {
  const what = `${call.method.toUpperCase()} ${call.path} → ${res.status} ${res.text.slice(0, 300)}`;
  expect(res.status, what).to.be.below(500);
  expect(res.status, what).not.to.equal(405);
  if (res.status === 404) expect(res.text, what).not.to.match(/No route/);
}

async function fetchDocument(ctx: ServerContext): Promise<any> {
  const res = await ctx.http('GET', 'openapi.json');
  expect(res.status).to.equal(200);
  expect(res.headers.get('content-type')).to.match(/^application\/json/);
  return res.json;
}

withServer('conformance: OpenAPI document and API reference', (ctx) => {
  it('serves GET /fhir/openapi.json for this server, built from its CapabilityStatement', async () => {
    const doc = await fetchDocument(ctx);
    expect(doc.openapi).to.equal('3.1.0');
    expect(doc.servers).to.deep.equal([{ url: ctx.url() }]);
    const cs = (await ctx.http('GET', 'metadata')).json;
    const declared = cs.rest[0].resource.flatMap((r: any) => r.interaction.map((i: any) => `${r.type} ${i.code}`));
    const documented = new Set<string>();
    for (const item of Object.values<any>(doc.paths)) {
      for (const op of Object.values<any>(item)) documented.add(`${op.tags[0]} ${op['x-fhir-interaction']}`);
    }
    expect(declared.filter((d: string) => !documented.has(d))).to.deep.equal([]);
  });

  it('answers every documented Patient and system operation on its path and method', async () => {
    const doc = await fetchDocument(ctx);
    const id = (await ctx.http('POST', 'Patient', { body: PATIENT })).json.id as string;
    const calls: Call[] = [];
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      if (!path.startsWith('/Patient') && /^\/[A-Z]/.test(path)) continue;
      for (const method of Object.keys(item)) calls.push(concrete(method, path, id));
    }
    // Deletes last, so that the other calls find the patient.
    calls.sort((a, b) => Number(a.method === 'delete') - Number(b.method === 'delete'));
    expect(calls.length).to.be.at.least(13);
    for (const call of calls) {
      const res = await ctx.http(call.method.toUpperCase(), call.path.slice(1), { headers: call.headers, body: call.body });
      expectServed(call, res);
    }
  });

  it('serves GET /docs: a self-contained HTML reference listing the operations', async () => {
    const res = await ctx.http('GET', ctx.url().replace(/\/fhir$/, '/docs'));
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/html/);
    expect(res.headers.get('content-security-policy')).to.include("default-src 'none'");
    expect(res.text).to.include('id="read-Patient"').and.include('id="create-Observation"').and.include(`${ctx.url()}/openapi.json`);
    expect(res.text).not.to.match(/<script|src=/i);
  });

  it('leaves the FHIR routes alone: other methods on openapi.json are FHIR errors', async () => {
    const res = await ctx.http('POST', 'openapi.json', { body: PATIENT });
    expect(res.status).to.be.within(400, 499);
    expect(res.json?.resourceType).to.equal('OperationOutcome');
  });
});

import { expect } from 'chai';
import type { CapabilityStatement } from '@medplum/fhirtypes';
import { buildCapabilityStatement } from '../interactions/capabilities';
import { declaredOperation } from '../interactions/registry';
import { renderDocsPage } from './docs-page';
import { buildOpenApi, type HttpMethod, type OpenApiDocument } from './openapi';

const SOFTWARE = { name: 'Hearth', version: '9.9.9', date: '2026-01-01' };

/** The HTTP method and path(s) each CapabilityStatement interaction is served on (FHIR R4 http.html). */
function expectedRoutes(type: string, r: any): [HttpMethod, string, string][] {
  const out: [HttpMethod, string, string][] = [];
  for (const { code } of r.interaction ?? []) {
    const t = `/${type}`;
    if (code === 'read') out.push(['get', `${t}/{id}`, code]);
    else if (code === 'vread') out.push(['get', `${t}/{id}/_history/{vid}`, code]);
    else if (code === 'update') out.push(['put', `${t}/{id}`, code], ...(r.conditionalUpdate ? [['put', t, code] as [HttpMethod, string, string]] : []));
    else if (code === 'patch') out.push(['patch', `${t}/{id}`, code], ...(r.conditionalUpdate ? [['patch', t, code] as [HttpMethod, string, string]] : []));
    else if (code === 'delete') out.push(['delete', `${t}/{id}`, code], ...(r.conditionalDelete !== 'not-supported' ? [['delete', t, code] as [HttpMethod, string, string]] : []));
    else if (code === 'history-instance') out.push(['get', `${t}/{id}/_history`, code]);
    else if (code === 'history-type') out.push(['get', `${t}/_history`, code]);
    else if (code === 'create') out.push(['post', t, code]);
    else if (code === 'search-type') out.push(['get', t, code], ['post', `${t}/_search`, code]);
    else throw new Error(`unknown interaction ${code}`);
  }
  return out;
}

function operations(doc: OpenApiDocument) {
  return Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method: method as HttpMethod, op: op! })));
}

/** Every `$ref` in the document names an existing component. */
function danglingRefs(doc: OpenApiDocument): string[] {
  const bad: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string') {
          const [kind, name] = x.replace('#/components/', '').split('/');
          if (!x.startsWith('#/components/') || !doc.components[kind!]?.[name!]) bad.push(x);
        } else walk(x);
      }
    }
  };
  walk(doc);
  return bad;
}

async function validate(doc: OpenApiDocument): Promise<{ valid: boolean; errors?: unknown }> {
  const { Validator } = await import('@seriousme/openapi-schema-validator');
  return new Validator().validate(doc as any);
}

/** A statement declaring what Hearth does not serve yet: search, system search, batch, operations. */
function richStatement(): CapabilityStatement {
  const cs = buildCapabilityStatement('http://x/fhir', SOFTWARE);
  const rest = cs.rest![0]!;
  const patient = rest.resource!.find((r) => r.type === 'Patient')!;
  patient.interaction!.push({ code: 'search-type' });
  patient.searchParam!.push({ name: 'birthdate', type: 'date', documentation: 'Date of birth' });
  patient.searchInclude = ['Patient:organization'];
  patient.searchRevInclude = ['Observation:subject', 'Encounter:subject'];
  rest.compartment = ['http://hl7.org/fhir/CompartmentDefinition/patient'];
  patient.operation = [{ name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' }];
  rest.interaction!.push({ code: 'batch' }, { code: 'transaction' }, { code: 'search-system' });
  rest.searchParam = [{ name: '_lastUpdated', type: 'date' }];
  rest.operation = [{ name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export' }];
  return cs;
}

describe('OpenAPI document', () => {
  const cs = buildCapabilityStatement('http://x/fhir', SOFTWARE);
  const doc = buildOpenApi(cs, { operationLevels: declaredOperation });

  it('is a valid OpenAPI 3.1 document whose references all resolve', async () => {
    expect(doc.openapi).to.equal('3.1.0');
    const result = await validate(doc);
    expect(result.valid, JSON.stringify(result.errors)).to.equal(true);
    expect(danglingRefs(doc)).to.deep.equal([]);
    const broken = { ...doc, paths: { '/Patient/{id}': { get: { responses: 'none' } } } } as unknown as OpenApiDocument;
    expect((await validate(broken)).valid).to.equal(false);
  });

  it('names the server, its version and the base from the statement, and declares bearer auth', () => {
    expect(doc.servers).to.deep.equal([{ url: 'http://x/fhir' }]);
    expect(doc.info).to.include({ version: '9.9.9' });
    expect(doc.components.securitySchemes).to.have.property('bearer').that.includes({ type: 'http', scheme: 'bearer' });
    expect(doc.security).to.deep.include({ bearer: [] });
  });

  it('has a path and method for every interaction of every type in the statement, and nothing more', () => {
    const expected = new Set<string>(['get /metadata capabilities']);
    for (const r of cs.rest![0]!.resource!) for (const [m, p, code] of expectedRoutes(r.type, r)) expected.add(`${m} ${p} ${code}`);
    for (const { code } of cs.rest![0]!.interaction ?? []) {
      if (code === 'history-system') expected.add('get /_history history-system');
      else if (code === 'search-system') expected.add('get / search-system').add('post /_search search-system');
      else if (code === 'batch' || code === 'transaction') expected.add(`post / ${cs.rest![0]!.interaction!.filter((i) => i.code === 'batch' || i.code === 'transaction').map((i) => i.code).join(',')}`);
      else throw new Error(`unknown system interaction ${code}`);
    }
    for (const c of cs.rest![0]!.compartment ?? []) expected.add(`get /${c.endsWith('/patient') ? 'Patient' : c}/{id}/{compartmentType} search-compartment`);
    // The server's own operations (POST, as they change state) at the levels their definitions allow.
    for (const o of cs.rest![0]!.operation ?? []) if (declaredOperation(o.definition)?.system) expected.add(`post /$${o.name} operation:$${o.name}`);
    for (const r of cs.rest![0]!.resource!) {
      for (const o of r.operation ?? []) if (declaredOperation(o.definition)?.type) expected.add(`post /${r.type}/$${o.name} operation:$${o.name}`);
    }
    const actual = new Set(operations(doc).map(({ method, path, op }) => `${method} ${path} ${op['x-fhir-interaction']}`));
    expect([...expected].filter((e) => !actual.has(e))).to.deep.equal([]);
    expect([...actual].filter((a) => !expected.has(a))).to.deep.equal([]);
    expect(cs.rest![0]!.resource!.length).to.equal(146);
  });

  it('offers every declared search parameter on the conditional operations, with request bodies and errors', () => {
    const put = doc.paths['/Observation']!.put!;
    const names = put.parameters!.map((p) => (p.$ref as string | undefined)?.split('/').pop());
    expect(names).to.include.members(['Observation._id', 'Observation.identifier']);
    expect(doc.components.parameters!['Observation.identifier']).to.include({ name: 'identifier', in: 'query' });
    expect(put.requestBody).to.have.nested.property('content.application/fhir+json.schema.$ref', '#/components/schemas/Observation');
    expect(doc.paths['/Observation/{id}']!.patch!.requestBody).to.deep.equal({ $ref: '#/components/requestBodies/JsonPatch' });
    expect(doc.components.requestBodies!.JsonPatch).to.have.nested.property('content.application/json-patch+json');
    expect(doc.components.schemas!.Observation).to.have.nested.property('properties.resourceType.const', 'Observation');
    for (const { op } of operations(doc)) expect(op.responses).to.have.property('default');
    expect(doc.components.responses!.Error).to.have.nested.property('content.application/fhir+json.schema.$ref', '#/components/schemas/OperationOutcome');
  });

  it('has unique operation ids', () => {
    const ids = operations(doc).map(({ op }) => op.operationId);
    expect(new Set(ids).size).to.equal(ids.length);
  });

  it('follows the statement when it declares search, batch, transaction, system search and operations', async () => {
    const rich = buildOpenApi(richStatement(), {
      operationLevels: (url) => (url.endsWith('/export') ? { system: true, type: false, instance: false, affectsState: false } : undefined),
    });
    const search = rich.paths['/Patient']!.get!;
    expect(search['x-fhir-interaction']).to.equal('search-type');
    expect(search.parameters).to.deep.include({ $ref: '#/components/parameters/Patient.birthdate' });
    expect(rich.paths['/Patient/_search']!.post!.requestBody).to.have.nested.property('content.application/x-www-form-urlencoded.schema.properties.birthdate');
    expect(rich.components.parameters!['Patient._revinclude']).to.deep.include({ name: '_revinclude', schema: { type: 'array', items: { enum: ['Observation:subject', 'Encounter:subject'] } } });
    expect(search.parameters).to.deep.include({ $ref: '#/components/parameters/Patient._include' }).and.deep.include({ $ref: '#/components/parameters/_sort' });
    expect(rich.paths['/Patient/{id}/{compartmentType}']!.get!['x-fhir-interaction']).to.equal('search-compartment');
    expect(rich.paths['/_search']!.post!['x-fhir-interaction']).to.equal('search-system');
    expect(rich.paths['/']!.post!['x-fhir-interaction']).to.equal('batch,transaction');
    expect(rich.paths['/']!.get!.parameters).to.deep.include({ $ref: '#/components/parameters/system._lastUpdated' });
    expect(rich.paths['/Patient/$everything']!.post!.requestBody).to.deep.equal({ $ref: '#/components/requestBodies/Parameters' });
    expect(rich.paths['/Patient/{id}/$everything']!.post).to.be.an('object');
    expect(rich.paths['/$export']).to.have.keys('get', 'post');
    const result = await validate(rich);
    expect(result.valid, JSON.stringify(result.errors)).to.equal(true);
    expect(danglingRefs(rich)).to.deep.equal([]);
  });
});

describe('API reference page', () => {
  const doc = buildOpenApi(buildCapabilityStatement('http://x/fhir', SOFTWARE));
  const html = renderDocsPage(doc, 'http://x/fhir/openapi.json');

  it('lists every operation, grouped by type', () => {
    for (const { op } of operations(doc)) expect(html).to.include(`id="${op.operationId}"`);
    expect(html).to.include('id="tag-Patient"').and.include('href="http://x/fhir/openapi.json"');
  });

  it('is self-contained: no scripts and nothing loaded from elsewhere', () => {
    expect(html).to.match(/^<!doctype html>/);
    expect(html).not.to.match(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.to.match(/src=/i);
  });

  it('escapes what it prints', () => {
    const evil = buildOpenApi(buildCapabilityStatement('http://x/fhir"><b>', SOFTWARE));
    expect(renderDocsPage(evil, 'x')).not.to.include('"><b>');
  });
});

import type { BundleEntry, Patient } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { FhirError } from '../core/errors';
import type { FhirResult } from '../interactions/types';
import { entryIssues, parseEntry, responseEntry, statusLine } from './entry';

const BASE = 'http://example.org/fhir';
const PATIENT: Patient = { resourceType: 'Patient', id: 'p1', meta: { versionId: '2', lastUpdated: '2024-01-02T03:04:05.678Z' } };

function parseFails(entry: unknown, index = 3): FhirError {
  try {
    parseEntry(entry as BundleEntry, index, BASE);
  } catch (err) {
    expect(err).to.be.instanceOf(FhirError);
    return err as FhirError;
  }
  return expect.fail('parseEntry accepted the entry');
}

describe('bundles: parseEntry', () => {
  it('parses method, target, fullUrl and resource', () => {
    const e = parseEntry({ fullUrl: 'urn:uuid:1', resource: PATIENT, request: { method: 'PUT', url: 'Patient/p1', ifMatch: 'W/"1"' } }, 2, BASE);
    expect(e).to.deep.include({ index: 2, method: 'PUT', fullUrl: 'urn:uuid:1', resource: PATIENT });
    expect(e.target).to.include({ resourceType: 'Patient', id: 'p1' });
    expect(e.request.ifMatch).to.equal('W/"1"');
  });

  it('accepts a lower-case method', () => {
    expect(parseEntry({ request: { method: 'delete' as 'DELETE', url: 'Patient/p1' } }, 0, BASE).method).to.equal('DELETE');
  });

  it('refuses an entry without request, method or url, naming Bundle.entry[i].request', () => {
    for (const entry of [{}, { request: { url: 'Patient' } }, { request: { method: 'GET' } }, { resource: PATIENT }]) {
      const err = parseFails(entry);
      expect(err.status).to.equal(400);
      expect(err.issues[0]?.expression).to.deep.equal(['Bundle.entry[3].request']);
    }
  });

  it('refuses an unknown method, naming Bundle.entry[i].request.method', () => {
    const err = parseFails({ request: { method: 'OPTIONS', url: 'Patient' } });
    expect(err.status).to.equal(400);
    expect(err.issues[0]?.expression).to.deep.equal(['Bundle.entry[3].request.method']);
  });

  it('refuses POST, PUT and PATCH without a resource, naming Bundle.entry[i].resource', () => {
    for (const method of ['POST', 'PUT', 'PATCH']) {
      const err = parseFails({ request: { method, url: method === 'POST' ? 'Patient' : 'Patient/1' } }, 1);
      expect(err.status).to.equal(400);
      expect(err.issues[0]?.expression).to.deep.equal(['Bundle.entry[1].resource']);
    }
  });

  it('accepts GET, HEAD and DELETE without a resource', () => {
    for (const method of ['GET', 'HEAD', 'DELETE'] as const) {
      expect(parseEntry({ request: { method, url: 'Patient/1' } }, 0, BASE).method).to.equal(method);
    }
  });

  it('answers 400 (not a TypeError) for an entry that is not an object', () => {
    expect(parseFails(null).status).to.equal(400);
    expect(parseFails('Patient').status).to.equal(400);
  });

  it('answers 400 (not a TypeError) for a request whose method or url is not a string', () => {
    expect(parseFails({ request: { method: 7, url: 'Patient' } }).status).to.equal(400);
    expect(parseFails({ request: { method: 'GET', url: { path: 'Patient' } } }).status).to.equal(400);
  });
});

describe('bundles: statusLine', () => {
  it('gives the status code with its reason phrase', () => {
    expect(statusLine(200)).to.equal('200 OK');
    expect(statusLine(201)).to.equal('201 Created');
    expect(statusLine(204)).to.equal('204 No Content');
    expect(statusLine(304)).to.equal('304 Not Modified');
    expect(statusLine(404)).to.equal('404 Not Found');
    expect(statusLine(412)).to.equal('412 Precondition Failed');
    expect(statusLine(422)).to.equal('422 Unprocessable Entity');
  });

  it('gives the bare code for a status without a known phrase', () => {
    expect(statusLine(299)).to.equal('299');
  });
});

describe('bundles: responseEntry', () => {
  const created: FhirResult = {
    status: 201,
    resource: PATIENT,
    versionId: 2,
    lastUpdated: '2024-01-02T03:04:05.678Z',
    location: `${BASE}/Patient/p1/_history/2`,
  };

  it('carries status, location, etag and lastModified, without the resource when minimal', () => {
    expect(responseEntry(created, 'POST', 'minimal')).to.deep.equal({
      response: { status: '201 Created', location: `${BASE}/Patient/p1/_history/2`, etag: 'W/"2"', lastModified: '2024-01-02T03:04:05.678Z' },
    });
  });

  it('includes the resource with return=representation', () => {
    expect(responseEntry(created, 'PUT', 'representation').resource).to.deep.equal(PATIENT);
  });

  it('includes an OperationOutcome with return=OperationOutcome, not the resource', () => {
    const entry = responseEntry(created, 'POST', 'OperationOutcome');
    expect(entry.resource).to.equal(undefined);
    expect(entry.response?.outcome?.resourceType).to.equal('OperationOutcome');
    expect(entry.response?.outcome?.issue?.[0]?.severity).to.equal('information');
  });

  it('always includes the resource read by a GET, and no outcome', () => {
    const entry = responseEntry({ ...created, status: 200, location: undefined }, 'GET', 'OperationOutcome');
    expect(entry.resource).to.deep.equal(PATIENT);
    expect(entry.response?.outcome).to.equal(undefined);
    expect(entry.response?.status).to.equal('200 OK');
  });

  it('leaves out etag, lastModified and location when the result has none', () => {
    expect(responseEntry({ status: 204 }, 'DELETE', 'minimal')).to.deep.equal({ response: { status: '204 No Content' } });
  });
});

describe('bundles: entryIssues', () => {
  it('points resource expressions into the entry and prefixes the diagnostics', () => {
    const err = new FhirError(400, [
      { severity: 'error', code: 'code-invalid', diagnostics: 'bad gender', expression: ['Patient.gender'] },
      { severity: 'error', code: 'structure', diagnostics: 'bad given', expression: ['Patient.name[0].given[0]', 'Patient'] },
    ]);
    const issues = entryIssues(err, 3);
    expect(issues.map((i) => i.expression)).to.deep.equal([
      ['Bundle.entry[3].resource.gender'],
      ['Bundle.entry[3].resource.name[0].given[0]', 'Bundle.entry[3].resource'],
    ]);
    expect(issues.map((i) => i.diagnostics)).to.deep.equal(['Bundle.entry[3]: bad gender', 'Bundle.entry[3]: bad given']);
    expect(issues.map((i) => i.code)).to.deep.equal(['code-invalid', 'structure']);
  });

  it('names the entry when an issue has no expression', () => {
    const err = new FhirError(412, [{ severity: 'error', code: 'conflict', diagnostics: 'stale' }], { ETag: 'W/"2"' });
    const issues = entryIssues(err, 3);
    expect(issues).to.deep.equal([{ severity: 'error', code: 'conflict', diagnostics: 'Bundle.entry[3]: stale', expression: ['Bundle.entry[3]'] }]);
  });
});

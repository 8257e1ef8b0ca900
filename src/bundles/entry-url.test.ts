import { expect } from 'chai';
import { FhirError } from '../core/errors';
import { parseEntryUrl } from './entry-url';

const BASE = 'http://example.org/fhir';

function rejects(url: string, status = 400): FhirError {
  try {
    parseEntryUrl(url, BASE);
  } catch (err) {
    expect(err, `'${url}' throws a FhirError`).to.be.instanceOf(FhirError);
    expect((err as FhirError).status).to.equal(status);
    return err as FhirError;
  }
  return expect.fail(`'${url}' was accepted`);
}

describe('bundles: parseEntryUrl', () => {
  it('parses a type', () => {
    expect(parseEntryUrl('Patient', BASE)).to.deep.equal({ resourceType: 'Patient', history: false, metadata: false, query: [] });
  });

  it('parses an instance', () => {
    expect(parseEntryUrl('Patient/123', BASE)).to.deep.equal({ resourceType: 'Patient', id: '123', history: false, metadata: false, query: [] });
  });

  it('parses a version', () => {
    expect(parseEntryUrl('Observation/a-1/_history/7', BASE)).to.deep.equal({
      resourceType: 'Observation',
      id: 'a-1',
      versionId: '7',
      history: false,
      metadata: false,
      query: [],
    });
  });

  it('parses instance, type and system history', () => {
    expect(parseEntryUrl('Patient/1/_history', BASE)).to.deep.equal({ resourceType: 'Patient', id: '1', history: true, metadata: false, query: [] });
    expect(parseEntryUrl('Patient/_history', BASE)).to.deep.equal({ resourceType: 'Patient', history: true, metadata: false, query: [] });
    expect(parseEntryUrl('_history', BASE)).to.deep.equal({ history: true, metadata: false, query: [] });
    expect(parseEntryUrl('_history?_count=2', BASE).query).to.deep.equal([['_count', '2']]);
  });

  it('parses metadata', () => {
    expect(parseEntryUrl('metadata', BASE)).to.deep.equal({ history: false, metadata: true, query: [] });
  });

  it('parses compartment searches', () => {
    expect(parseEntryUrl('Patient/1/Observation?code=x', BASE)).to.deep.equal({
      resourceType: 'Observation',
      compartment: { type: 'Patient', id: '1' },
      history: false,
      metadata: false,
      query: [['code', 'x']],
    });
    expect(parseEntryUrl('Patient/1/*', BASE)).to.deep.equal({ compartment: { type: 'Patient', id: '1' }, history: false, metadata: false, query: [] });
  });

  it('parses conditional criteria in order, decoded, with repeated names kept', () => {
    const t = parseEntryUrl('Patient?identifier=http://sys%7C1&identifier=other%7C2&_id=a,b', BASE);
    expect(t.resourceType).to.equal('Patient');
    expect(t.id).to.equal(undefined);
    expect(t.query).to.deep.equal([
      ['identifier', 'http://sys|1'],
      ['identifier', 'other|2'],
      ['_id', 'a,b'],
    ]);
  });

  it('keeps a literal | and decodes %20 in criteria', () => {
    expect(parseEntryUrl('Patient?identifier=urn:sys|a%20b', BASE).query).to.deep.equal([['identifier', 'urn:sys|a b']]);
  });

  it('parses a query on an instance URL', () => {
    const t = parseEntryUrl('Patient/9?_format=json', BASE);
    expect(t).to.include({ resourceType: 'Patient', id: '9' });
    expect(t.query).to.deep.equal([['_format', 'json']]);
  });

  it('accepts leading slashes and surrounding whitespace', () => {
    expect(parseEntryUrl('/Patient/1', BASE)).to.include({ resourceType: 'Patient', id: '1' });
    expect(parseEntryUrl('  Patient/2  ', BASE)).to.include({ resourceType: 'Patient', id: '2' });
  });

  it('accepts absolute URLs under the server base', () => {
    expect(parseEntryUrl(`${BASE}/Patient/1`, BASE)).to.include({ resourceType: 'Patient', id: '1' });
    expect(parseEntryUrl(`${BASE}/Patient/1/_history/2`, BASE)).to.include({ id: '1', versionId: '2' });
    expect(parseEntryUrl(`${BASE}/Patient?identifier=s|1`, BASE).query).to.deep.equal([['identifier', 's|1']]);
  });

  it('refuses absolute URLs of another server, including a base that only shares a prefix', () => {
    rejects('http://other.example.org/fhir/Patient/1');
    rejects('https://example.org/fhir/Patient/1');
    rejects('http://example.org/fhirish/Patient/1');
  });

  it('decodes percent-encoded path segments', () => {
    expect(parseEntryUrl('Patient/a%2Db', BASE)).to.include({ id: 'a-b' });
  });

  it('answers 400, not an internal error, for malformed percent-encoding', () => {
    rejects('Patient/%zz');
    rejects('Patient/%E0%A4%A');
  });

  it('refuses operations with not-supported', () => {
    expect(rejects('Patient/1/$everything').code).to.equal('not-supported');
    expect(rejects('$export').code).to.equal('not-supported');
    expect(rejects('Patient/$validate').code).to.equal('not-supported');
  });

  it('refuses URLs that are not FHIR RESTful URLs', () => {
    for (const url of ['', '/', 'Patient/1/foo', 'Patient/1/_history/2/extra', 'Patient/_history/2', 'Patient/1/_history/2/_history']) {
      rejects(url);
    }
  });
});

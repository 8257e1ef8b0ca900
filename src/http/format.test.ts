import { expect } from 'chai';
import { FhirError } from '../core/errors';
import { checkPatchContentType, checkResourceContentType, negotiateResponseType } from './format';
import { parsePrefer } from './prefer';

function status(fn: () => unknown): number | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return (e as FhirError).status;
  }
}

describe('content negotiation', () => {
  it('serves FHIR JSON by default and for JSON-ish or wildcard Accept', () => {
    expect(negotiateResponseType(undefined, undefined)).to.equal('application/fhir+json');
    expect(negotiateResponseType(undefined, 'application/fhir+json')).to.equal('application/fhir+json');
    expect(negotiateResponseType(undefined, 'application/json')).to.equal('application/json');
    expect(negotiateResponseType(undefined, 'text/html,application/xhtml+xml,*/*;q=0.8')).to.equal('application/fhir+json');
  });

  it('lets _format win over Accept', () => {
    expect(negotiateResponseType('json', 'application/fhir+xml')).to.equal('application/fhir+json');
    expect(negotiateResponseType('application/fhir json', undefined)).to.equal('application/fhir+json');
  });

  it('answers 406 for formats not served', () => {
    expect(status(() => negotiateResponseType('xml', undefined))).to.equal(406);
    expect(status(() => negotiateResponseType(undefined, 'application/fhir+xml'))).to.equal(406);
    expect(status(() => negotiateResponseType(undefined, 'application/json;q=0, application/xml'))).to.equal(406);
  });

  it('answers 415 for bodies not in FHIR JSON', () => {
    expect(status(() => checkResourceContentType('application/fhir+json; charset=utf-8'))).to.equal(undefined);
    expect(status(() => checkResourceContentType('application/xml'))).to.equal(415);
    expect(status(() => checkPatchContentType('application/json-patch+json'))).to.equal(undefined);
    expect(status(() => checkPatchContentType('application/fhir+json'))).to.equal(415);
  });

  it('parses Prefer', () => {
    expect(parsePrefer('return=minimal')).to.deep.equal({ return: 'minimal' });
    expect(parsePrefer('return=OperationOutcome, handling=strict')).to.deep.equal({ return: 'OperationOutcome', handling: 'strict' });
    expect(parsePrefer('respond-async')).to.deep.equal({ respondAsync: true });
    expect(parsePrefer('return=bogus')).to.deep.equal({});
  });
});

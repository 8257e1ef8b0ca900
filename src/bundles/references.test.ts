import type { Observation } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { FhirError } from '../core/errors';
import { forEachReference, parseConditionalReference, rewriteReferences, type ReferenceVisit } from './references';

const P = 'urn:uuid:7d9a1a4e-4b4c-4a55-9d2e-0f3b8a1e0c01';
const PR = 'urn:uuid:5f0e1b2c-8a7d-4e6f-9c3b-2a1d0e9f8b02';
const ORG = 'urn:oid:1.2.840.113619.6.197';
const ABS = 'http://other.example.org/fhir/Patient/77';

const MAP = new Map([
  [P, 'Patient/p1'],
  [PR, 'Practitioner/pr1'],
  [ORG, 'Organization/o1'],
  [ABS, 'Patient/p2'],
]);

function rewrite<T>(resource: T): T {
  return rewriteReferences(resource, MAP, 'Bundle.entry[4].resource');
}

function observation(extra: Partial<Observation> = {}): Observation {
  return { resourceType: 'Observation', status: 'final', code: { text: 'x' }, ...extra };
}

describe('bundles: forEachReference', () => {
  it('visits every reference string with its path, in arrays, extensions and contained resources', () => {
    const resource = observation({
      subject: { reference: P, display: 'reference' },
      performer: [{ reference: 'Practitioner/1' }, { reference: PR }],
      extension: [{ url: 'http://example.org/x', valueReference: { reference: ORG } }],
      contained: [{ resourceType: 'Specimen', id: 's', subject: { reference: P } }],
      specimen: { reference: '#s' },
    });
    const seen: ReferenceVisit[] = [];
    forEachReference(resource, 'Observation', (r) => seen.push(r));
    expect(seen).to.deep.include.members([
      { value: P, path: 'Observation.subject.reference' },
      { value: 'Practitioner/1', path: 'Observation.performer[0].reference' },
      { value: PR, path: 'Observation.performer[1].reference' },
      { value: ORG, path: 'Observation.extension[0].valueReference.reference' },
      { value: P, path: 'Observation.contained[0].subject.reference' },
      { value: '#s', path: 'Observation.specimen.reference' },
    ]);
    expect(seen).to.have.length(6);
  });

  it('ignores strings that are not under a reference key', () => {
    const seen: ReferenceVisit[] = [];
    forEachReference({ resourceType: 'Patient', id: P, identifier: [{ value: P }] }, 'Patient', (r) => seen.push(r));
    expect(seen).to.deep.equal([]);
  });
});

describe('bundles: rewriteReferences', () => {
  it('rewrites urn:uuid, urn:oid and absolute fullUrls to Type/id', () => {
    const out = rewrite(
      observation({
        subject: { reference: P },
        performer: [{ reference: ORG }, { reference: ABS }, { reference: PR }],
      }),
    );
    expect(out.subject?.reference).to.equal('Patient/p1');
    expect(out.performer?.map((r) => r.reference)).to.deep.equal(['Organization/o1', 'Patient/p2', 'Practitioner/pr1']);
  });

  it('rewrites references inside extensions, nested extensions and contained resources', () => {
    const out = rewrite(
      observation({
        extension: [
          { url: 'http://example.org/a', valueReference: { reference: P } },
          { url: 'http://example.org/b', extension: [{ url: 'inner', valueReference: { reference: PR } }] },
        ],
        contained: [{ resourceType: 'Specimen', id: 's', subject: { reference: P }, collection: { collector: { reference: PR } } }],
        specimen: { reference: '#s' },
      }),
    );
    expect(out.extension?.[0]?.valueReference?.reference).to.equal('Patient/p1');
    expect(out.extension?.[1]?.extension?.[0]?.valueReference?.reference).to.equal('Practitioner/pr1');
    const specimen = out.contained?.[0] as { subject?: { reference?: string }; collection?: { collector?: { reference?: string } } };
    expect(specimen.subject?.reference).to.equal('Patient/p1');
    expect(specimen.collection?.collector?.reference).to.equal('Practitioner/pr1');
    expect(out.specimen?.reference).to.equal('#s');
  });

  it('rewrites uri-typed elements naming a fullUrl', () => {
    const out = rewrite(observation({ extension: [{ url: 'http://example.org/u', valueUri: P }] }));
    expect(out.extension?.[0]?.valueUri).to.equal('Patient/p1');
  });

  it('rewrites a[href] and img[src] naming a urn fullUrl in the narrative, leaving other links', () => {
    const div =
      `<div xmlns="http://www.w3.org/1999/xhtml"><a href="${P}">patient</a> <img src="${ORG}"/>` +
      ` <a href="urn:uuid:00000000-0000-0000-0000-000000000000">unknown</a> <a href="http://hl7.org/fhir">spec</a></div>`;
    const out = rewrite(observation({ text: { status: 'generated', div } }));
    expect(out.text?.div).to.equal(
      `<div xmlns="http://www.w3.org/1999/xhtml"><a href="Patient/p1">patient</a> <img src="Organization/o1"/>` +
        ` <a href="urn:uuid:00000000-0000-0000-0000-000000000000">unknown</a> <a href="http://hl7.org/fhir">spec</a></div>`,
    );
  });

  it('rewrites a narrative link naming an absolute fullUrl', () => {
    const out = rewrite(observation({ text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><a href="${ABS}">p</a></div>` } }));
    expect(out.text?.div).to.equal('<div xmlns="http://www.w3.org/1999/xhtml"><a href="Patient/p2">p</a></div>');
  });

  it('leaves identifier values (strings, not links) alone even when they equal a fullUrl', () => {
    const out = rewrite({ resourceType: 'Patient', identifier: [{ system: 'urn:ietf:rfc:3986', value: P }] });
    expect(out.identifier[0]?.value).to.equal(P);
  });

  it('leaves references to other resources, contained resources and conditional references untouched', () => {
    const input = observation({
      subject: { reference: 'Patient/123' },
      performer: [{ reference: 'http://elsewhere.org/fhir/Practitioner/1' }, { reference: 'Practitioner?identifier=s|1' }],
      specimen: { reference: '#s' },
    });
    expect(rewrite(input)).to.deep.equal(input);
  });

  it('does not modify its input', () => {
    const input = observation({ subject: { reference: P }, performer: [{ reference: PR }] });
    const before = JSON.stringify(input);
    const out = rewrite(input);
    expect(JSON.stringify(input)).to.equal(before);
    expect(out).to.not.equal(input);
  });

  it('refuses a urn:uuid reference naming no entry with 400 and the path of the reference', () => {
    const input = observation({ performer: [{ reference: PR }, { reference: 'urn:uuid:0b6f1a5e-0000-4000-8000-000000000000' }] });
    try {
      rewrite(input);
      expect.fail('accepted');
    } catch (err) {
      expect(err).to.be.instanceOf(FhirError);
      const e = err as FhirError;
      expect(e.status).to.equal(400);
      expect(e.issues[0]?.expression).to.deep.equal(['Bundle.entry[4].resource.performer[1].reference']);
      expect(e.message).to.contain('urn:uuid:0b6f1a5e-0000-4000-8000-000000000000');
    }
  });

  it('refuses a urn:oid reference naming no entry, also inside a contained resource', () => {
    const input = observation({ contained: [{ resourceType: 'Specimen', id: 's', subject: { reference: 'urn:oid:1.2.3' } }] });
    try {
      rewrite(input);
      expect.fail('accepted');
    } catch (err) {
      expect((err as FhirError).status).to.equal(400);
      expect((err as FhirError).issues[0]?.expression).to.deep.equal(['Bundle.entry[4].resource.contained[0].subject.reference']);
    }
  });
});

describe('bundles: parseConditionalReference', () => {
  it('splits a conditional reference into type and criteria', () => {
    expect(parseConditionalReference('Patient?identifier=http://sys|123')).to.deep.equal({
      resourceType: 'Patient',
      query: [['identifier', 'http://sys|123']],
    });
    expect(parseConditionalReference('Practitioner?identifier=a%7Cb&_id=x')).to.deep.equal({
      resourceType: 'Practitioner',
      query: [
        ['identifier', 'a|b'],
        ['_id', 'x'],
      ],
    });
  });

  it('answers undefined for literal, contained, urn and absolute references', () => {
    for (const ref of ['Patient/1', '#c', P, ORG, 'http://x.org/fhir/Patient/1', 'patient?identifier=1', 'Patient?']) {
      expect(parseConditionalReference(ref), ref).to.equal(undefined);
    }
  });
});

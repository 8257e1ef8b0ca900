import { expect } from 'chai';
import { localReferences, parseLocalReference } from './references';

describe('local references', () => {
  it('parses relative, versioned and absolute local references only', () => {
    expect(parseLocalReference('Patient/1')).to.deep.equal({ type: 'Patient', id: '1' });
    expect(parseLocalReference('Patient/1/_history/3')).to.deep.equal({ type: 'Patient', id: '1' });
    expect(parseLocalReference('http://h/fhir/Patient/1', 'http://h/fhir')).to.deep.equal({ type: 'Patient', id: '1' });
    expect(parseLocalReference('http://other/fhir/Patient/1', 'http://h/fhir')).to.equal(undefined);
    expect(parseLocalReference('#c1')).to.equal(undefined);
    expect(parseLocalReference('urn:uuid:1c7b0b1e-0b0a-4c3f-9f3e-2b1d5c0f0a11')).to.equal(undefined);
    expect(parseLocalReference('Patient?identifier=a|b')).to.equal(undefined);
    expect(parseLocalReference('Unicorn/1')).to.equal(undefined);
  });

  it('finds references at any depth, in extensions and contained resources, but not contained ones (#id)', () => {
    const refs = localReferences({
      resourceType: 'Observation',
      subject: { reference: 'Patient/p' },
      performer: [{ reference: '#pr' }, { reference: 'Practitioner/d' }],
      extension: [{ url: 'http://e', valueReference: { reference: 'Location/l' } }],
      contained: [{ resourceType: 'Practitioner', id: 'pr', organization: { reference: 'Organization/o' } }],
    } as { resourceType: string });
    expect(refs).to.deep.equal([
      { type: 'Patient', id: 'p', path: 'Observation.subject.reference' },
      { type: 'Practitioner', id: 'd', path: 'Observation.performer[1].reference' },
      { type: 'Location', id: 'l', path: 'Observation.extension[0].valueReference.reference' },
      { type: 'Organization', id: 'o', path: 'Observation.contained[0].organization.reference' },
    ]);
  });
});

import { expect } from 'chai';
import type { Patient } from '@medplum/fhirtypes';
import { applySubsetting, parseSubsetting } from './subsetting';

const patient: Patient = {
  resourceType: 'Patient',
  id: 'p1',
  meta: { versionId: '2', lastUpdated: '2026-01-01T00:00:00.000Z' },
  text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' },
  name: [{ family: 'Doe' }],
  gender: 'female',
  birthDate: '1970-01-01',
  _birthDate: { extension: [{ url: 'http://e', valueString: 'x' }] },
  maritalStatus: { text: 'M' },
  photo: [{ contentType: 'image/png' }],
  deceasedBoolean: false,
} as Patient;

const isSubsetted = (r: { meta?: { tag?: { code?: string }[] } }) => r.meta?.tag?.some((t) => t.code === 'SUBSETTED');

describe('_summary and _elements', () => {
  it('_summary=true keeps summary elements only, tagged SUBSETTED', () => {
    const out = applySubsetting(patient, parseSubsetting([['_summary', 'true']])) as Patient;
    expect(out).to.include.keys('id', 'meta', 'name', 'gender', 'birthDate', '_birthDate', 'deceasedBoolean');
    expect(out).not.to.have.any.keys('text', 'maritalStatus', 'photo');
    expect(isSubsetted(out)).to.equal(true);
    expect(out.meta?.versionId).to.equal('2');
  });

  it('_summary=text keeps text, id, meta and mandatory elements', () => {
    const out = applySubsetting(patient, parseSubsetting([['_summary', 'text']]));
    expect(Object.keys(out).sort()).to.deep.equal(['id', 'meta', 'resourceType', 'text']);
  });

  it('_summary=data removes text only', () => {
    const out = applySubsetting(patient, parseSubsetting([['_summary', 'data']])) as Patient;
    expect(out.text).to.equal(undefined);
    expect(out.photo).to.deep.equal(patient.photo);
  });

  it('_summary=false returns the resource unchanged', () => {
    expect(applySubsetting(patient, parseSubsetting([['_summary', 'false']]))).to.equal(patient);
  });

  it('_elements keeps the named elements (choice types by stem) plus id and meta', () => {
    const out = applySubsetting(patient, parseSubsetting([['_elements', 'gender,deceased']])) as Patient;
    expect(Object.keys(out).sort()).to.deep.equal(['deceasedBoolean', 'gender', 'id', 'meta', 'resourceType']);
    expect(isSubsetted(out)).to.equal(true);
  });

  it('keeps mandatory elements with _elements', () => {
    const obs = { resourceType: 'Observation', id: 'o', status: 'final', code: { text: 'x' }, valueString: 'v', note: [{ text: 'n' }] } as const;
    const out = applySubsetting(obs as never, parseSubsetting([['_elements', 'note']]));
    expect(Object.keys(out).sort()).to.deep.equal(['code', 'id', 'meta', 'note', 'resourceType', 'status']);
  });

  it('rejects bad modes and combinations', () => {
    expect(() => parseSubsetting([['_summary', 'maybe']])).to.throw(/_summary must be/);
    expect(() => parseSubsetting([['_summary', 'true'], ['_elements', 'name']])).to.throw(/cannot be combined/);
  });
});

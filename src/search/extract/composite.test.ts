import { expect } from 'chai';
import { searchParameter } from '../registry';
import { MAX_COMBINATIONS } from './composite';
import { newSink } from './sink';

/** The components (parsed) of each idx_composite row of one parameter. */
function composite(resource: { resourceType: string }, code: string): unknown[] {
  const sink = newSink();
  searchParameter(resource.resourceType, code)!.index(resource, sink);
  return sink.idx_composite.map((row) => {
    expect(row[0]).to.equal(code);
    expect(row[1]).to.be.a('string');
    return JSON.parse(row[1] as string);
  });
}

const loinc = (code: string) => ({ system: 'http://loinc.org', code });

describe('composite normalization', () => {
  const bp = {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [loinc('85354-9'), { system: 'http://snomed.info/sct', code: '75367002' }] },
    component: [
      { code: { coding: [loinc('8480-6')] }, valueQuantity: { value: 120, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
      { code: { coding: [loinc('8462-4')] }, valueQuantity: { value: 80.5, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
      { code: { coding: [loinc('9999-9')] }, valueCodeableConcept: { coding: [{ system: 's', code: 'x' }] } },
    ],
  };

  it('gives one row per element and combination of component values', () => {
    const weight = { resourceType: 'Observation', status: 'final', code: bp.code, valueQuantity: { value: 70, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' } };
    const q = { system: 'http://unitsofmeasure.org', unit: 'kg', value: 70, low: 69.5, high: 70.5 };
    expect(composite(weight, 'code-value-quantity')).to.deep.equal([
      [{ system: 'http://loinc.org', value: '85354-9' }, q],
      [{ system: 'http://snomed.info/sct', value: '75367002' }, q],
    ]);
    expect(composite(bp, 'code-value-quantity')).to.deep.equal([]);
  });

  it('evaluates components relative to each element the expression selects', () => {
    expect(composite(bp, 'component-code-value-quantity')).to.deep.equal([
      [{ system: 'http://loinc.org', value: '8480-6' }, { system: 'http://unitsofmeasure.org', unit: 'mm[Hg]', value: 120, low: 119.5, high: 120.5 }],
      [{ system: 'http://loinc.org', value: '8462-4' }, { system: 'http://unitsofmeasure.org', unit: 'mm[Hg]', value: 80.5, low: 80.45, high: 80.55 }],
    ]);
    expect(composite(bp, 'combo-code-value-concept')).to.deep.equal([[{ system: 'http://loinc.org', value: '9999-9' }, { system: 's', value: 'x' }]]);
  });

  it('keeps exact decimals as JSON numbers', () => {
    const sink = newSink();
    const tiny = { ...bp, component: [{ code: { coding: [loinc('1')] }, valueQuantity: { value: 0.1 } }] };
    searchParameter('Observation', 'component-code-value-quantity')!.index(tiny, sink);
    expect(sink.idx_composite[0]![1]).to.equal('[{"system":"http://loinc.org","value":"1"},{"system":null,"unit":null,"value":0.1,"low":0.05,"high":0.15}]');
  });

  it('normalizes date, string and reference components', () => {
    const obs = { resourceType: 'Observation', status: 'final', code: { coding: [loinc('1')] }, valuePeriod: { start: '2020-01' } };
    expect(composite(obs, 'code-value-date')).to.deep.equal([[{ system: 'http://loinc.org', value: '1' }, { low: '2020-01-01T00:00:00.000Z', high: 'infinity' }]]);
    const text = { ...obs, valuePeriod: undefined, valueString: 'Élevé' };
    expect(composite(text, 'code-value-string')).to.deep.equal([[{ system: 'http://loinc.org', value: '1' }, { value: 'eleve', exact: 'Élevé' }]]);
    const doc = { resourceType: 'DocumentReference', relatesTo: [{ code: 'replaces', target: { reference: 'DocumentReference/d0' } }] };
    expect(composite(doc, 'relationship')).to.deep.equal([[{ type: 'DocumentReference', id: 'd0', url: null, version: null }, { system: null, value: 'replaces' }]]);
  });

  it('reads %resource in component expressions', () => {
    const seq = { resourceType: 'MolecularSequence', coordinateSystem: 0, referenceSeq: { chromosome: { coding: [{ system: 'c', code: '1' }] } }, variant: [{ start: 10, end: 12 }] };
    expect(composite(seq, 'chromosome-variant-coordinate')).to.deep.equal([
      [{ system: 'c', value: '1' }, { value: 10, low: 9.5, high: 10.5 }, { value: 12, low: 11.5, high: 12.5 }],
    ]);
  });

  it('caps the combinations of one element', () => {
    const codings = Array.from({ length: 20 }, (_, i) => loinc(String(i)));
    const many = { resourceType: 'Observation', status: 'final', code: { coding: codings }, valueCodeableConcept: { coding: codings } };
    expect(composite(many, 'code-value-concept')).to.have.length(MAX_COMBINATIONS);
  });
});

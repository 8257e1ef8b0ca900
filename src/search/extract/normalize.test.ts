import { expect } from 'chai';
import type { SearchParamType } from '../parameter';
import { normalizerFor } from './normalizers';
import { newSink, type IndexSink } from './sink';
import { MAX_INDEXED_LENGTH } from './text';

/** The non-empty tables of the rows one value gives for a parameter `c` of the given type. */
function rows(type: SearchParamType, value: unknown, fhirType?: string, phonetic = false): Partial<IndexSink> {
  const sink = newSink();
  normalizerFor(type, 'c', phonetic)!(value, fhirType, sink);
  return Object.fromEntries(Object.entries(sink).filter(([, r]) => r.length > 0));
}

describe('string normalization', () => {
  it('folds text and keeps the original', () => {
    expect(rows('string', 'Ève Müller', 'string')).to.deep.equal({ idx_string: [['c', 'eve muller', 'Ève Müller']] });
    expect(rows('string', '', 'string')).to.deep.equal({});
  });

  it('indexes every part of a HumanName and an Address', () => {
    const name = { use: 'official', family: 'Chalmers', given: ['Peter', 'James'], prefix: ['Dr'], suffix: ['III'], text: 'Dr Peter James Chalmers III' };
    expect(rows('string', name, 'HumanName').idx_string!.map((r) => r[1])).to.deep.equal(['chalmers', 'peter', 'james', 'dr', 'iii', 'dr peter james chalmers iii']);
    const address = { use: 'home', line: ['534 Erewhon St', 'Apt 2'], city: 'PleasantVille', district: 'Rainbow', state: 'Vic', postalCode: '3999', country: 'AU', text: 'x' };
    expect(rows('string', address, 'Address').idx_string!.map((r) => r[2])).to.deep.equal(['534 Erewhon St', 'Apt 2', 'PleasantVille', 'Rainbow', 'Vic', '3999', 'AU', 'x']);
    expect(rows('string', { family: 'Ñandú' }).idx_string).to.deep.equal([['c', 'nandu', 'Ñandú']]);
  });

  it('stores phonetic keys per word for phonetic parameters', () => {
    expect(rows('string', { family: 'Smyth', given: ['Jon Paul'] }, 'HumanName', true).idx_string).to.deep.equal([
      ['c', 's530', 'Smyth'],
      ['c', 'j500', 'Jon Paul'],
      ['c', 'p400', 'Jon Paul'],
    ]);
  });
});

describe('token normalization', () => {
  it('indexes Coding and CodeableConcept codings with their display for :text', () => {
    expect(rows('token', { system: 's', code: 'c1', display: 'Élan' }, 'Coding')).to.deep.equal({ idx_token: [['c', 's', 'c1', 'elan']] });
    const cc = { coding: [{ system: 's', code: 'a', display: 'Alpha' }, { code: 'b' }], text: 'Something else' };
    expect(rows('token', cc, 'CodeableConcept').idx_token).to.deep.equal([
      ['c', 's', 'a', 'alpha'],
      ['c', null, 'b', null],
      ['c', null, null, 'something else'],
    ]);
    expect(rows('token', { coding: [{ system: 's', code: 'a', display: 'Alpha' }], text: 'ALPHA' }, 'CodeableConcept').idx_token).to.have.length(1);
    expect(rows('token', { text: 'only text' }, 'CodeableConcept').idx_token).to.deep.equal([['c', null, null, 'only text']]);
  });

  it('indexes Identifier system/value with type text, and :of-type rows', () => {
    const id = { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }], text: 'Medical record' }, system: 'urn:sys', value: '123' };
    expect(rows('token', id, 'Identifier').idx_token).to.deep.equal([
      ['c', 'urn:sys', '123', 'medical record'],
      ['c:of-type', 'http://terminology.hl7.org/CodeSystem/v2-0203', 'MR|123', null],
    ]);
    expect(rows('token', { use: 'official' }, 'Identifier')).to.deep.equal({});
  });

  it('indexes ContactPoint, Quantity and primitives', () => {
    expect(rows('token', { system: 'phone', value: '555', use: 'home' }, 'ContactPoint').idx_token).to.deep.equal([['c', 'phone', '555', null]]);
    expect(rows('token', { value: 5, system: 'http://unitsofmeasure.org', code: 'mg' }, 'Quantity').idx_token).to.deep.equal([['c', 'http://unitsofmeasure.org', 'mg', null]]);
    expect(rows('token', 'male', 'code').idx_token).to.deep.equal([['c', null, 'male', null]]);
    expect(rows('token', true, 'boolean').idx_token).to.deep.equal([['c', null, 'true', null]]);
    expect(rows('token', false, 'boolean').idx_token).to.deep.equal([['c', null, 'false', null]]);
    expect(rows('token', 'x'.repeat(1000), 'string').idx_token![0]![2]).to.have.length(MAX_INDEXED_LENGTH);
  });

  it('guesses the type of untyped values from their shape', () => {
    expect(rows('token', { coding: [{ system: 's', code: 'a' }] }).idx_token).to.deep.equal([['c', 's', 'a', null]]);
    expect(rows('token', { system: 's', value: 'v' }).idx_token).to.deep.equal([['c', 's', 'v', null]]);
  });
});

describe('reference normalization', () => {
  it('splits relative and absolute literal references', () => {
    expect(rows('reference', { reference: 'Patient/123' }, 'Reference')).to.deep.equal({ idx_reference: [['c', 'Patient', '123', null, null]] });
    expect(rows('reference', { reference: 'Patient/123/_history/2' }, 'Reference').idx_reference).to.deep.equal([['c', 'Patient', '123', null, '2']]);
    expect(rows('reference', { reference: 'https://x.org/fhir/Patient/123' }, 'Reference').idx_reference).to.deep.equal([
      ['c', 'Patient', '123', 'https://x.org/fhir/Patient/123', null],
    ]);
    expect(rows('reference', { reference: 'urn:uuid:0c3d' }, 'Reference').idx_reference).to.deep.equal([['c', null, null, 'urn:uuid:0c3d', null]]);
    expect(rows('reference', { reference: 'Unknown/1' }, 'Reference').idx_reference).to.deep.equal([['c', null, null, 'Unknown/1', null]]);
    expect(rows('reference', { reference: '#contained' }, 'Reference')).to.deep.equal({});
    expect(rows('reference', { display: 'only a display' }, 'Reference')).to.deep.equal({});
  });

  it('writes identifiers of references as <code>:identifier tokens', () => {
    expect(rows('reference', { identifier: { system: 'urn:s', value: '9' } }, 'Reference')).to.deep.equal({ idx_token: [['c:identifier', 'urn:s', '9', null]] });
    expect(rows('reference', { reference: 'Patient/1', identifier: { value: '9' } }, 'Reference')).to.deep.equal({
      idx_reference: [['c', 'Patient', '1', null, null]],
      idx_token: [['c:identifier', null, '9', null]],
    });
  });

  it('splits the version off canonicals and indexes resources by type and id', () => {
    expect(rows('reference', 'http://x.org/Questionnaire/q|2.1', 'canonical').idx_reference).to.deep.equal([['c', null, null, 'http://x.org/Questionnaire/q', '2.1']]);
    expect(rows('reference', 'http://x.org/ValueSet/v', 'uri').idx_reference).to.deep.equal([['c', null, null, 'http://x.org/ValueSet/v', null]]);
    expect(rows('reference', { resourceType: 'Composition', id: 'c1' }, 'Resource').idx_reference).to.deep.equal([['c', 'Composition', 'c1', null, null]]);
  });
});

describe('date normalization', () => {
  it('indexes dates, Periods with open ends and Timings', () => {
    expect(rows('date', '2020', 'date')).to.deep.equal({ idx_date: [['c', '2020-01-01T00:00:00.000Z', '2020-12-31T23:59:59.999Z']] });
    expect(rows('date', { start: '2020-01-01', end: '2020-01-31T12:00:00Z' }, 'Period').idx_date).to.deep.equal([
      ['c', '2020-01-01T00:00:00.000Z', '2020-01-31T12:00:00.999Z'],
    ]);
    expect(rows('date', { start: '2020-05' }, 'Period').idx_date).to.deep.equal([['c', '2020-05-01T00:00:00.000Z', 'infinity']]);
    expect(rows('date', { end: '2020-05' }, 'Period').idx_date).to.deep.equal([['c', '-infinity', '2020-05-31T23:59:59.999Z']]);
    expect(rows('date', {}, 'Period')).to.deep.equal({});
    const timing = { event: ['2020-03-02', '2020-01-05T10:00:00Z'], repeat: { boundsPeriod: { end: '2020-04' }, frequency: 1 } };
    expect(rows('date', timing, 'Timing').idx_date).to.deep.equal([['c', '-infinity', '2020-04-30T23:59:59.999Z']]);
    expect(rows('date', { event: ['2020-03-02', '2020-01-05'] }, 'Timing').idx_date).to.deep.equal([['c', '2020-01-05T00:00:00.000Z', '2020-03-02T23:59:59.999Z']]);
    expect(rows('date', { repeat: { frequency: 1 } }, 'Timing')).to.deep.equal({});
    expect(rows('date', 'daily', 'string')).to.deep.equal({});
  });
});

describe('number and quantity normalization', () => {
  it('indexes numbers with their precision range', () => {
    expect(rows('number', 100, 'integer')).to.deep.equal({ idx_number: [['c', '100', '99.5', '100.5']] });
    expect(rows('number', 0.25, 'decimal').idx_number).to.deep.equal([['c', '0.25', '0.245', '0.255']]);
  });

  it('indexes Quantity system, unit code and range; a differing unit as a second row', () => {
    const q = { value: 5.4, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' };
    expect(rows('quantity', q, 'Quantity')).to.deep.equal({ idx_quantity: [['c', 'http://unitsofmeasure.org', 'mg', '5.4', '5.35', '5.45']] });
    expect(rows('quantity', { value: 120, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' }, 'Quantity').idx_quantity).to.deep.equal([
      ['c', 'http://unitsofmeasure.org', 'mm[Hg]', '120', '119.5', '120.5'],
      ['c', null, 'mmHg', '120', '119.5', '120.5'],
    ]);
    expect(rows('quantity', { value: 3, unit: 'years' }, 'Age').idx_quantity).to.deep.equal([['c', null, 'years', '3', '2.5', '3.5']]);
  });

  it('opens one side for comparators, and handles Money, Range and plain numbers', () => {
    expect(rows('quantity', { value: 5, comparator: '<', unit: 'g' }, 'Quantity').idx_quantity).to.deep.equal([['c', null, 'g', '5', null, '5.5']]);
    expect(rows('quantity', { value: 5, comparator: '>=' }, 'Quantity').idx_quantity).to.deep.equal([['c', null, null, '5', '4.5', null]]);
    expect(rows('quantity', { value: 12.5, currency: 'EUR' }, 'Money').idx_quantity).to.deep.equal([['c', 'urn:iso:std:iso:4217', 'EUR', '12.5', '12.45', '12.55']]);
    expect(rows('quantity', { low: { value: 18, unit: 'a' }, high: { value: 65, unit: 'a' } }, 'Range').idx_quantity).to.deep.equal([['c', null, 'a', null, '18', '65']]);
    expect(rows('quantity', { low: { value: 18 } }, 'Range').idx_quantity).to.deep.equal([['c', null, null, null, '18', null]]);
    expect(rows('quantity', 7, 'decimal').idx_quantity).to.deep.equal([['c', null, null, '7', '6.5', '7.5']]);
    expect(rows('quantity', { origin: { value: 2 }, data: '1 2 3', dimensions: 1, period: 1 }, 'SampledData')).to.deep.equal({});
    expect(rows('quantity', { unit: 'g' }, 'Quantity')).to.deep.equal({});
  });
});

describe('uri normalization', () => {
  it('keeps URIs as written, cut to the indexed length', () => {
    expect(rows('uri', 'http://example.org/fhir/StructureDefinition/x', 'uri')).to.deep.equal({ idx_uri: [['c', 'http://example.org/fhir/StructureDefinition/x']] });
    expect(rows('uri', `http://x/${'a'.repeat(1000)}`, 'url').idx_uri![0]![1]).to.have.length(MAX_INDEXED_LENGTH);
  });
});

import { expect } from 'chai';
import { FhirError } from '../../core/errors';
import { parseSearch, strictError, type ParseOptions } from './parse';
import type { ChainCriterion, HasCriterion, MissingCriterion, SpecialCriterion, ValueCriterion } from './types';

const OPTIONS: ParseOptions = { resourceType: 'Observation', baseUrl: 'http://x/fhir', now: new Date('2026-01-01T00:00:00Z'), defaultCount: 20, maxCount: 100 };

function parse(query: string, options: Partial<ParseOptions> = {}) {
  return parseSearch([...new URLSearchParams(query).entries()], { ...OPTIONS, ...options });
}

function fails(query: string, options: Partial<ParseOptions> = {}): FhirError {
  try {
    parse(query, options);
  } catch (e) {
    expect(e).to.be.instanceOf(FhirError);
    return e as FhirError;
  }
  return expect.fail(`'${query}' was accepted`);
}

describe('search/query/parse', () => {
  describe('criteria', () => {
    it('parses a token with system|code, comma OR and repetition AND', () => {
      const r = parse('code=http://loinc.org|8480-6,|x&code=y');
      expect(r.criteria).to.have.length(2);
      const [a, b] = r.criteria as ValueCriterion[];
      expect(a!.param.code).to.equal('code');
      expect(a!.values).to.deep.equal([
        { kind: 'code', system: 'http://loinc.org', code: '8480-6' },
        { kind: 'code', system: null, code: 'x' },
      ]);
      expect(b!.values).to.deep.equal([{ kind: 'code', system: undefined, code: 'y' }]);
    });

    it('honours \\ escapes of , | and $', () => {
      const r = parse('code=a\\,b|c\\|d,e');
      expect((r.criteria[0] as ValueCriterion).values).to.deep.equal([
        { kind: 'code', system: 'a,b', code: 'c|d' },
        { kind: 'code', system: undefined, code: 'e' },
      ]);
    });

    it('parses date prefixes into inclusive ranges at the precision given', () => {
      const r = parse('date=ge2020&date=lt2020-03-04T10:00%2B02:00&date=2021-02');
      const values = (r.criteria as ValueCriterion[]).map((c) => c.values[0]);
      expect(values).to.deep.equal([
        { prefix: 'ge', low: '2020-01-01T00:00:00.000Z', high: '2020-12-31T23:59:59.999Z' },
        { prefix: 'lt', low: '2020-03-04T08:00:00.000Z', high: '2020-03-04T08:00:59.999Z' },
        { prefix: 'eq', low: '2021-02-01T00:00:00.000Z', high: '2021-02-28T23:59:59.999Z' },
      ]);
    });

    it('widens ap by 10% of the distance from now', () => {
      const r = parse('date=ap2016-01-01');
      const v = (r.criteria[0] as ValueCriterion).values[0] as { low: string; high: string };
      // ten years before now: about a year of slack on either side
      expect(Date.parse(v.low)).to.be.closeTo(Date.parse('2015-01-01'), 3 * 86_400_000);
      expect(Date.parse(v.high)).to.be.closeTo(Date.parse('2017-01-01'), 3 * 86_400_000);
    });

    it('parses numbers and quantities with their implicit precision', () => {
      const r = parse('value-quantity=5.40|http://unitsofmeasure.org|mg&value-quantity=gt1e2||mg&component-value-quantity=100', {});
      const [a, b, c] = (r.criteria as ValueCriterion[]).map((x) => x.values[0]);
      expect(a).to.deep.equal({ number: { prefix: 'eq', value: '5.40', half: '5e-3' }, system: 'http://unitsofmeasure.org', unit: 'mg' });
      expect(b).to.deep.equal({ number: { prefix: 'gt', value: '1e2', half: '5e1' }, unit: 'mg' });
      expect(c).to.deep.equal({ number: { prefix: 'eq', value: '100', half: '5e-1' } });
      const n = parse('probability=ge0.5', { resourceType: 'RiskAssessment' });
      expect((n.criteria[0] as ValueCriterion).values[0]).to.deep.equal({ prefix: 'ge', value: '0.5', half: '5e-2' });
    });

    it('parses references in every form', () => {
      const r = parse('subject=Patient/1,http://x/fhir/Patient/2/_history/3,http://other.org/fhir/Patient/4,5&subject:Group=6&subject:identifier=urn:s|v');
      const [a, b, c] = r.criteria as ValueCriterion[];
      const base = 'http://x/fhir';
      expect(a!.values).to.deep.equal([
        { kind: 'local', type: 'Patient', id: '1', base },
        { kind: 'local', type: 'Patient', id: '2', version: '3', base },
        { kind: 'url', url: 'http://other.org/fhir/Patient/4' },
        { kind: 'local', id: '5', base },
      ]);
      expect(b!.modifier).to.equal('Group');
      expect(b!.values).to.deep.equal([{ kind: 'local', type: 'Group', id: '6', base }]);
      expect(c!.values).to.deep.equal([{ kind: 'identifier', token: { kind: 'code', system: 'urn:s', code: 'v' } }]);
    });

    it('parses string modifiers, :missing, and token modifiers', () => {
      const r = parse('name:exact=Eve&name:contains=ev&family:missing=true', { resourceType: 'Patient' });
      const [a, b, c] = r.criteria;
      expect((a as ValueCriterion).modifier).to.equal('exact');
      expect((b as ValueCriterion).values).to.deep.equal([{ text: 'ev' }]);
      expect(c).to.include({ kind: 'missing', missing: true });
      expect((c as MissingCriterion).param.code).to.equal('family');
      const t = parse('code:not=a&code:text=blood&code:in=http://hl7.org/fhir/ValueSet/observation-status', {});
      expect((t.criteria[0] as ValueCriterion).modifier).to.equal('not');
      expect((t.criteria[1] as ValueCriterion).values).to.deep.equal([{ kind: 'text', text: 'blood' }]);
      expect((t.criteria[2] as ValueCriterion).values).to.deep.equal([{ kind: 'in', valueSet: 'http://hl7.org/fhir/ValueSet/observation-status' }]);
      const sub = parse('code:below=http://snomed.info/sct|123&code:above=urn:sys|a\\|b', {});
      expect((sub.criteria[0] as ValueCriterion).values).to.deep.equal([{ kind: 'subsumption', direction: 'below', system: 'http://snomed.info/sct', code: '123' }]);
      expect((sub.criteria[1] as ValueCriterion).values).to.deep.equal([{ kind: 'subsumption', direction: 'above', system: 'urn:sys', code: 'a|b' }]);
      const nosys = parse('code:below=123', {});
      expect(nosys.criteria).to.deep.equal([]);
      expect(nosys.ignored[0]!.diagnostics).to.contain("'code:below' needs a system|code value");
      const o = parse('identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|123', { resourceType: 'Patient' });
      expect((o.criteria[0] as ValueCriterion).values).to.deep.equal([{ kind: 'of-type', typeSystem: 'http://terminology.hl7.org/CodeSystem/v2-0203', typeCode: 'MR', value: '123' }]);
    });

    it('parses the phonetic key of phonetic parameters', () => {
      const r = parse('phonetic=Smyth', { resourceType: 'Patient' });
      expect((r.criteria[0] as ValueCriterion).values).to.deep.equal([{ text: 'Smyth', phonetic: 's530' }]);
    });

    it('parses composites component by component', () => {
      const r = parse('code-value-quantity=http://loinc.org|8480-6$gt100');
      expect((r.criteria[0] as ValueCriterion).values).to.deep.equal([
        { parts: [{ kind: 'code', system: 'http://loinc.org', code: '8480-6' }, { number: { prefix: 'gt', value: '100', half: '5e-1' } }] },
      ]);
    });

    it('parses chains of any depth, with and without a type', () => {
      const r = parse('subject:Patient.name=peter&patient.organization.name=acme');
      const a = r.criteria[0] as ChainCriterion;
      expect(a).to.include({ kind: 'chain', code: 'subject' });
      expect(a.inner.map((i) => i.type)).to.deep.equal(['Patient']);
      expect((a.inner[0]!.criterion as ValueCriterion).param.code).to.equal('name');
      const b = r.criteria[1] as ChainCriterion;
      expect(b.inner.map((i) => i.type)).to.deep.equal(['Patient']);
      const inner = b.inner[0]!.criterion as ChainCriterion;
      expect(inner).to.include({ kind: 'chain', code: 'organization' });
      expect(inner.inner.map((i) => i.type)).to.deep.equal(['Organization']);
    });

    it('keeps only the target types that define the chained parameter', () => {
      const r = parse('subject.birthdate=1970');
      expect((r.criteria[0] as ChainCriterion).inner.map((i) => i.type)).to.deep.equal(['Patient']);
    });

    it('parses nested _has', () => {
      const r = parse('_has:Observation:patient:_has:AuditEvent:entity:type=rest', { resourceType: 'Patient' });
      const has = r.criteria[0] as HasCriterion;
      expect(has).to.include({ kind: 'has', sourceType: 'Observation', code: 'patient' });
      expect(has.inner).to.include({ kind: 'has', sourceType: 'AuditEvent', code: 'entity' });
    });

    it('parses _id, _lastUpdated, _text, _content and _list on the resource row', () => {
      const r = parse('_id=a,b&_lastUpdated=gt2020&_text=cough&_content=x&_list=42&_id:not=c');
      expect(r.criteria.map((c) => (c as SpecialCriterion).code)).to.deep.equal(['_id', '_lastUpdated', '_text', '_content', '_list', '_id']);
      expect((r.criteria[0] as SpecialCriterion).values).to.deep.equal(['a', 'b']);
      expect((r.criteria[5] as SpecialCriterion).modifier).to.equal('not');
    });

    it('parses _tag, _profile, _security and _source as registry parameters', () => {
      const r = parse('_tag=http://s|t&_profile=http://p&_security=R&_source=http://src');
      expect((r.criteria as ValueCriterion[]).map((c) => `${c.param.code}:${c.param.type}`)).to.deep.equal(['_tag:token', '_profile:uri', '_security:token', '_source:uri']);
    });

    it('refuses malformed values with 400 whatever the handling', () => {
      expect(fails('date=2020-13').status).to.equal(400);
      expect(fails('date=xx2020').status).to.equal(400);
      expect(fails('value-quantity=abc').status).to.equal(400);
      expect(fails('code-value-quantity=a').status).to.equal(400);
      expect(fails('subject=not a reference').status).to.equal(400);
      expect(fails('family:missing=maybe', { resourceType: 'Patient' }).status).to.equal(400);
      expect(fails('_count=x').status).to.equal(400);
      expect(fails('_total=some').status).to.equal(400);
      expect(fails('_summary=yes').status).to.equal(400);
      expect(fails('_summary=true&_elements=code').status).to.equal(400);
    });
  });

  describe('unknown and unsupported parameters', () => {
    it('collects them as ignored and leaves them out of applied', () => {
      const r = parse('foo=1&code=x&code:above=y&subject.nonsense=z&_has:Nope:x:y=1&_contained=true&_filter=x&date=');
      expect(r.criteria).to.have.length(1);
      expect(r.applied).to.deep.equal([['code', 'x']]);
      expect(r.ignored.map((i) => i.diagnostics)).to.have.length(7);
      for (const issue of r.ignored) expect(issue).to.include({ severity: 'warning', code: 'not-supported' });
      expect(r.ignored[0]!.diagnostics).to.match(/Unknown search parameter 'foo'/);
    });

    it('turns them into one 400 error under strict handling', () => {
      const r = parse('foo=1&bar=2');
      const err = strictError(r.ignored);
      expect(err.status).to.equal(400);
      expect(err.issues).to.have.length(2);
      expect(err.issues[0]).to.include({ severity: 'error', code: 'not-supported' });
      expect(err.issues[0]!.diagnostics).to.not.match(/ignored/);
    });

    it('does not echo _format, _pretty or the cursor in applied', () => {
      const r = parse('_format=json&_pretty=true&_page=abc&code=x');
      expect(r.applied).to.deep.equal([['code', 'x']]);
      expect(r.cursor).to.equal('abc');
    });
  });

  describe('result parameters', () => {
    it('parses _sort keys in order with direction', () => {
      const r = parse('_sort=-date,code,_id&_sort=-_lastUpdated');
      expect(r.sort.map((k) => `${k.descending ? '-' : ''}${k.code}`)).to.deep.equal(['-date', 'code', '_id', '-_lastUpdated']);
      expect(parse('_sort=code-value-quantity').ignored).to.have.length(1);
    });

    it('defaults _count and caps it at the maximum', () => {
      expect(parse('').count).to.equal(20);
      expect(parse('_count=5').count).to.equal(5);
      expect(parse('_count=5000').count).to.equal(100);
      expect(parse('_count=0').count).to.equal(0);
    });

    it('parses _total, _summary and _elements', () => {
      const r = parse('_total=accurate&_summary=count');
      expect(r).to.include({ total: 'accurate', summary: 'count' });
      expect(parse('_elements=code,subject&_elements=status').elements).to.deep.equal(['code', 'subject', 'status']);
    });

    it('parses _include and _revinclude with :iterate, wildcards and target types', () => {
      const r = parse('_include=Observation:patient&_include=Observation:subject:Patient&_include:iterate=Patient:general-practitioner&_include=*&_revinclude=Provenance:target');
      expect(r.include).to.deep.equal([
        { sourceType: 'Observation', code: 'patient', iterate: false },
        { sourceType: 'Observation', code: 'subject', targetType: 'Patient', iterate: false },
        { sourceType: 'Patient', code: 'general-practitioner', iterate: true },
        { sourceType: '*', code: '*', iterate: false },
      ]);
      expect(r.revinclude).to.deep.equal([{ sourceType: 'Provenance', code: 'target', iterate: false }]);
    });

    it('ignores includes that cannot apply', () => {
      const r = parse('_include=Patient:general-practitioner&_include=Observation:code&_include=Observation:subject:Medication');
      expect(r.include).to.deep.equal([]);
      expect(r.ignored).to.have.length(3);
    });
  });

  describe('system search', () => {
    it('takes the types from _type and only their common parameters', () => {
      const r = parse('_type=Patient,Practitioner&name=x&gender=female', { resourceType: undefined });
      expect(r.types).to.deep.equal(['Patient', 'Practitioner']);
      expect(r.criteria).to.have.length(2);
      expect(r.applied).to.deep.equal([['_type', 'Patient,Practitioner'], ['name', 'x'], ['gender', 'female']]);
      const mixed = parse('_type=Patient,Observation&name=x', { resourceType: undefined });
      expect(mixed.criteria).to.have.length(0);
      expect(mixed.ignored).to.have.length(1);
    });

    it('searches every type without _type', () => {
      const r = parse('_id=1', { resourceType: undefined });
      expect(r.types.length).to.equal(146);
    });

    it('refuses _type on a type search', () => {
      expect(parse('_type=Patient').ignored).to.have.length(1);
    });
  });
});

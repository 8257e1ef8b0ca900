import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { buildCapabilityStatement } from './capabilities';
import { resourceTypes } from '../fhir/resource-types';
import { renderStatement, STATEMENT_FILE } from '../../scripts/capability-statement';

describe('CapabilityStatement', () => {
  const cs = buildCapabilityStatement('http://x/fhir', { name: 'Hearth', version: '1', date: '2026-01-01' });

  it('declares FHIR 4.0.1 JSON and every concrete resource type', () => {
    expect(cs.fhirVersion).to.equal('4.0.1');
    expect(cs.format).to.include('application/fhir+json');
    const types = cs.rest?.[0].resource?.map((r) => r.type) ?? [];
    expect(types).to.have.length(146);
    expect(types).to.deep.equal([...resourceTypes()]);
    expect(types).to.include.members(['Patient', 'Encounter', 'Observation', 'Condition']);
  });

  it('declares the interactions and flags actually served', () => {
    const patient = cs.rest?.[0].resource?.find((r) => r.type === 'Patient');
    expect(patient?.interaction?.map((i) => i.code)).to.include.members(['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create']);
    expect(patient).to.include({ versioning: 'versioned-update', updateCreate: true, conditionalCreate: true, conditionalUpdate: true, conditionalDelete: 'single', conditionalRead: 'full-support' });
    expect(patient?.interaction?.map((i) => i.code)).to.include('search-type');
    expect(cs.rest?.[0].interaction?.map((i) => i.code)).to.include.members(['history-system', 'search-system']);
  });

  it('lists every searchable parameter per type, with its type, definition and modifiers', () => {
    const patient = cs.rest?.[0].resource?.find((r) => r.type === 'Patient');
    const params = new Map(patient?.searchParam?.map((p) => [p.name, p]));
    for (const name of ['_id', '_lastUpdated', '_tag', '_profile', '_security', '_source', '_text', '_content', '_list', 'identifier', 'name', 'family', 'birthdate', 'gender', 'general-practitioner', 'phonetic']) {
      expect(params.has(name), name).to.equal(true);
    }
    expect(params.get('birthdate')).to.include({ type: 'date', definition: 'http://hl7.org/fhir/SearchParameter/individual-birthdate' });
    expect(params.get('name')?.documentation).to.match(/:exact :contains/);
    expect(params.has('_query')).to.equal(false);
    const observation = cs.rest?.[0].resource?.find((r) => r.type === 'Observation');
    expect(observation?.searchParam?.find((p) => p.name === 'code-value-quantity')?.type).to.equal('composite');
    const binary = cs.rest?.[0].resource?.find((r) => r.type === 'Binary');
    expect(binary?.searchParam?.map((p) => p.name)).to.include('_id').and.not.include('_text');
  });

  it('lists _include and _revinclude values and the system search parameters', () => {
    const observation = cs.rest?.[0].resource?.find((r) => r.type === 'Observation');
    expect(observation?.searchInclude).to.include.members(['*', 'Observation:*', 'Observation:patient', 'Observation:subject']);
    const patient = cs.rest?.[0].resource?.find((r) => r.type === 'Patient');
    expect(patient?.searchRevInclude).to.include.members(['Observation:patient', 'Observation:subject', 'Encounter:patient']);
    expect(cs.rest?.[0].searchParam?.map((p) => p.name)).to.include.members(['_id', '_lastUpdated', '_type']);
    expect(cs.rest?.[0].compartment).to.deep.equal(['http://hl7.org/fhir/CompartmentDefinition/patient']);
  });

  it('is kept current in capability-statement/ (npm run capability-statement)', () => {
    expect(readFileSync(STATEMENT_FILE, 'utf8')).to.equal(renderStatement());
  });
});

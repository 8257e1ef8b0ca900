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
    expect(patient?.searchParam?.map((p) => p.name)).to.deep.equal(['_id', 'identifier']);
    const basicBinary = cs.rest?.[0].resource?.find((r) => r.type === 'Binary');
    expect(basicBinary?.searchParam?.map((p) => p.name)).to.deep.equal(['_id']);
    expect(cs.rest?.[0].interaction?.map((i) => i.code)).to.include('history-system');
  });

  it('is kept current in capability-statement/ (npm run capability-statement)', () => {
    expect(readFileSync(STATEMENT_FILE, 'utf8')).to.equal(renderStatement());
  });
});

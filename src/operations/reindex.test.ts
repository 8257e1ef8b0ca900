import type { SearchParameter } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { buildCapabilityStatement } from '../interactions/capabilities';
import { typeCapability } from '../interactions/registry';
import { registerSearchParameter, unregisterSearchParameter } from '../search/registry';
import { createBaseValidator } from '../validation';
import { reindexOperationDefinition } from './reindex-definition';

const software = { name: 'Hearth', version: '1', date: '2026-01-01' };

describe('$reindex declaration', () => {
  it('has a valid R4 OperationDefinition whose canonical is served by this server', () => {
    const od = reindexOperationDefinition('http://x/fhir');
    expect(od.url).to.equal('http://x/fhir/OperationDefinition/reindex');
    const errors = createBaseValidator().validate(od).filter((i) => i.severity === 'error');
    expect(errors).to.deep.equal([]);
  });

  it('is declared at system and type level in the CapabilityStatement', () => {
    const cs = buildCapabilityStatement('http://x/fhir', software);
    const declared = { name: 'reindex', definition: 'http://x/fhir/OperationDefinition/reindex' };
    expect(cs.rest![0]!.operation).to.deep.equal([declared]);
    for (const r of cs.rest![0]!.resource!) expect(r.operation, r.type).to.deep.equal([declared]);
  });
});

describe('CapabilityStatement and custom search parameters', () => {
  const url = 'http://example.org/SearchParameter/capability-test';
  const sp: SearchParameter = { resourceType: 'SearchParameter', url, name: 'x', status: 'active', description: 'x', code: 'capability-test', base: ['Patient'], type: 'reference', target: ['Organization'], expression: 'Patient.managingOrganization' };
  after(() => unregisterSearchParameter(url));

  it('follows registrations and removals (the cached server registry is rebuilt)', () => {
    const names = () => typeCapability('Patient')!.search.params.map((p) => p.name);
    const statement = () => buildCapabilityStatement('http://x/fhir', software).rest![0]!.resource!;
    expect(names()).not.to.include('capability-test');
    registerSearchParameter(sp);
    expect(names()).to.include('capability-test');
    expect(statement().find((r) => r.type === 'Patient')!.searchInclude).to.include('Patient:capability-test');
    expect(statement().find((r) => r.type === 'Organization')!.searchRevInclude).to.include('Patient:capability-test');
    unregisterSearchParameter(url);
    expect(names()).not.to.include('capability-test');
    expect(statement().find((r) => r.type === 'Organization')!.searchRevInclude).not.to.include('Patient:capability-test');
  });
});

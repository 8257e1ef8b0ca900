import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { elementSets } from '../fhir/summary';
import { serverRegistry } from './registry';
import type { FhirRequest, FhirResult } from './types';

export interface SoftwareInfo {
  name: string;
  version: string;
  /** Fixed date for a reproducible statement; the server passes its start time. */
  date: string;
}

/** Builds the CapabilityStatement from the server registry (the same one the router uses). */
export function buildCapabilityStatement(baseUrl: string, software: SoftwareInfo): CapabilityStatement {
  const reg = serverRegistry();
  const resources: CapabilityStatementRestResource[] = reg.types.map((t) => ({
    type: t.type as CapabilityStatementRestResource['type'],
    profile: `http://hl7.org/fhir/StructureDefinition/${t.type}`,
    interaction: t.interactions.map((code) => ({ code })),
    versioning: t.versioning,
    readHistory: t.readHistory,
    updateCreate: t.updateCreate,
    conditionalCreate: t.conditionalCreate,
    conditionalRead: t.conditionalRead,
    conditionalUpdate: t.conditionalUpdate,
    conditionalDelete: t.conditionalDelete,
    searchParam: t.conditionalParameters
      .filter((name) => name.startsWith('_') || elementSets(t.type)?.all.has(name))
      .map((name) => ({
        name,
        type: 'token',
        documentation: 'Usable as criteria of conditional create, update, patch and delete.',
      })),
  }));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: software.date,
    publisher: 'Hearth',
    kind: 'instance',
    software: { name: software.name, version: software.version },
    implementation: { description: 'Hearth FHIR R4 server', url: baseUrl },
    fhirVersion: '4.0.1',
    format: reg.formats,
    patchFormat: reg.patchFormats,
    rest: [
      {
        mode: 'server',
        resource: resources,
        interaction: reg.systemInteractions.map((code) => ({ code })),
      },
    ],
  };
}

/** capabilities: GET [base]/metadata */
export function capabilities(req: FhirRequest, software: SoftwareInfo): FhirResult {
  return { status: 200, resource: buildCapabilityStatement(req.baseUrl, software) };
}

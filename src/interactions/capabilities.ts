import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { systemSearchCapability } from '../search/query/capability';
import { registryGeneration } from '../search/registry';
import { operationDefinitionUrl, serverRegistry } from './registry';
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
  const operations = (level: 'system' | 'type') =>
    reg.operations.filter((o) => o[level]).map((o) => ({ name: o.name, definition: operationDefinitionUrl(baseUrl, o) }));
  const typeOperations = operations('type');
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
    searchInclude: t.search.include,
    searchRevInclude: t.search.revinclude,
    searchParam: t.search.params.map((p) => ({ ...p })),
    ...(typeOperations.length > 0 ? { operation: typeOperations } : {}),
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
        searchParam: systemSearchCapability(),
        operation: operations('system'),
        compartment: ['http://hl7.org/fhir/CompartmentDefinition/patient'],
      },
    ],
  };
}

/** Distinct base URLs kept built; a base derived from the client's Host header must not grow this. */
const CACHE_LIMIT = 8;
const cache = new Map<string, CapabilityStatement>();

/**
 * The CapabilityStatement for a base URL, built once per base, software and search parameter
 * registry generation (custom SearchParameters change it). Callers must not modify it.
 */
export function capabilityStatement(baseUrl: string, software: SoftwareInfo): CapabilityStatement {
  const key = `${registryGeneration()} ${software.name} ${software.version} ${software.date} ${baseUrl}`;
  let statement = cache.get(key);
  if (!statement) {
    statement = buildCapabilityStatement(baseUrl, software);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(key, statement);
  }
  return statement;
}

/** capabilities: GET [base]/metadata */
export function capabilities(req: FhirRequest, software: SoftwareInfo): FhirResult {
  return { status: 200, resource: capabilityStatement(req.baseUrl, software) };
}

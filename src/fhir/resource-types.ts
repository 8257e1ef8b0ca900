import { r4StructureDefinitions } from './definitions';

/**
 * The concrete R4 resource types served by Hearth, derived from the base StructureDefinitions
 * (kind = resource, not abstract, a specialization).
 */
let types: readonly string[] | undefined;
let typeSet: ReadonlySet<string> | undefined;

export function resourceTypes(): readonly string[] {
  if (!types) {
    types = r4StructureDefinitions()
      .filter((sd) => sd.kind === 'resource' && !sd.abstract && sd.derivation === 'specialization')
      .map((sd) => sd.type as string)
      .sort();
  }
  return types;
}

export function isResourceType(name: string): boolean {
  if (!typeSet) typeSet = new Set(resourceTypes());
  return typeSet.has(name);
}

import { r4ConcreteResourceTypes } from './element-tree';

/**
 * The concrete R4 resource types served by Hearth: every non-abstract resource of the R4 base
 * definitions (146 in FHIR 4.0.1), after r4-corrections.ts removed later-version additions.
 */
let types: readonly string[] | undefined;

export function resourceTypes(): readonly string[] {
  if (!types) types = [...r4ConcreteResourceTypes()].sort();
  return types;
}

export function isResourceType(name: string): boolean {
  return r4ConcreteResourceTypes().has(name);
}

import { resourceTypes } from '../../fhir/resource-types';
import type { SearchParamDef } from '../parameter';
import type { ParamDef } from './types';
import { searchParameter as registryParameter, searchParameters as registryParameters } from '../registry';

/**
 * The search parameters as the query side sees them, from the search parameter registry
 * (../registry.ts): only those it can search, i.e. with an index table, a `resources` column
 * (_id, _lastUpdated), or a row-level implementation here (_text, _content, _list).
 */

/** Parameters evaluated on the resource row itself rather than on the index tables. */
export const ROW_PARAMETERS: ReadonlySet<string> = new Set(['_id', '_lastUpdated', '_text', '_content', '_list']);

function searchable(def: SearchParamDef | undefined): SearchParamDef | undefined {
  if (!def) return undefined;
  return def.table !== undefined || def.column !== undefined || ROW_PARAMETERS.has(def.code) ? def : undefined;
}

/** The searchable parameter `code` of `resourceType`, or undefined. */
export function searchParameter(resourceType: string, code: string): ParamDef | undefined {
  return searchable(registryParameter(resourceType, code));
}

/** Every searchable parameter of `resourceType`, in code order. */
export function searchParameters(resourceType: string): ParamDef[] {
  return [...registryParameters(resourceType).values()]
    .filter((d) => searchable(d) !== undefined)
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** The target types of a reference parameter (`Resource` standing for every type). */
export function targetsOf(def: ParamDef): string[] {
  return def.targets.includes('Resource') ? [...resourceTypes()] : [...def.targets];
}

/**
 * The parameter `code` as defined for every one of `types` (system searches over several types),
 * or undefined when one of them lacks it or the types disagree on its type. Reference targets
 * are the union over the types.
 */
export function commonParameter(types: readonly string[], code: string): ParamDef | undefined {
  let common: ParamDef | undefined;
  const targets = new Set<string>();
  for (const type of types) {
    const def = searchParameter(type, code);
    if (!def || (common && common.type !== def.type)) return undefined;
    common ??= def;
    for (const t of targetsOf(def)) targets.add(t);
  }
  return common && common.type === 'reference' ? { ...common, targets: [...targets] } : common;
}

import type { SearchParameter } from '@medplum/fhirtypes';
import { errors } from '../core/errors';
import { r4SearchParameters } from '../fhir/definitions';
import { isResourceType, resourceTypes } from '../fhir/resource-types';
import { buildDefinition, isSearchParamType } from './definition';
import type { SearchParamDef } from './parameter';

/**
 * The search parameters of each resource type: the R4 SearchParameters whose bases are R4
 * resource types (`Resource`-level ones such as _id, _lastUpdated, _tag, _profile, _security,
 * _source apply to every type, `DomainResource`-level ones to every type but Bundle, Binary and
 * Parameters), plus custom SearchParameters added with registerSearchParameter (a custom
 * parameter with the code of an existing one replaces it for its bases).
 *
 * Definitions are built (and their expressions compiled) per type on first use. Registering or
 * removing a parameter drops the affected types' maps and bumps registryGeneration(), so callers
 * that cache anything derived from the registry (query planning, a reindex job) can tell.
 */

const NOT_DOMAIN_RESOURCES = new Set(['Bundle', 'Binary', 'Parameters']);
const BASE_LEVELS = new Set(['Resource', 'DomainResource']);

let r4ByBase: Map<string, SearchParameter[]> | undefined;
let r4ByUrl: Map<string, SearchParameter> | undefined;
const custom = new Map<string, SearchParameter>();
const byType = new Map<string, ReadonlyMap<string, SearchParamDef>>();
let generation = 0;

function r4Index(): Map<string, SearchParameter[]> {
  if (!r4ByBase) {
    r4ByBase = new Map();
    r4ByUrl = new Map();
    for (const sp of r4SearchParameters()) {
      const bases = ((sp.base ?? []) as string[]).filter((b) => isResourceType(b) || BASE_LEVELS.has(b));
      if (bases.length === 0 || !sp.code || !sp.url) continue;
      r4ByUrl.set(sp.url, sp);
      for (const b of bases) {
        if (!r4ByBase.has(b)) r4ByBase.set(b, []);
        r4ByBase.get(b)!.push(sp);
      }
    }
  }
  return r4ByBase;
}

/** A SearchParameter (R4 or custom) by canonical URL. */
export function searchParameterByUrl(url: string): SearchParameter | undefined {
  r4Index();
  return custom.get(url) ?? r4ByUrl!.get(url);
}

function appliesTo(sp: SearchParameter, resourceType: string): boolean {
  return ((sp.base ?? []) as string[]).some(
    (b) => b === resourceType || b === 'Resource' || (b === 'DomainResource' && !NOT_DOMAIN_RESOURCES.has(resourceType)),
  );
}

function build(resourceType: string): ReadonlyMap<string, SearchParamDef> {
  const index = r4Index();
  const map = new Map<string, SearchParamDef>();
  const add = (sp: SearchParameter, source: 'r4' | 'custom'): void => {
    map.set(sp.code!, buildDefinition(sp, resourceType, source, searchParameterByUrl));
  };
  for (const level of ['Resource', 'DomainResource', resourceType]) {
    for (const sp of index.get(level) ?? []) if (appliesTo(sp, resourceType)) add(sp, 'r4');
  }
  for (const sp of custom.values()) if (appliesTo(sp, resourceType)) add(sp, 'custom');
  return map;
}

/** The search parameters of a resource type by code (empty for an unknown type). */
export function searchParameters(resourceType: string): ReadonlyMap<string, SearchParamDef> {
  let map = byType.get(resourceType);
  if (!map) {
    map = isResourceType(resourceType) ? build(resourceType) : new Map();
    byType.set(resourceType, map);
  }
  return map;
}

/** Builds (compiles) the parameters of every resource type now rather than on first use. */
export function precompileSearchParameters(): void {
  for (const t of resourceTypes()) searchParameters(t);
}

export function searchParameter(resourceType: string, code: string): SearchParamDef | undefined {
  return searchParameters(resourceType).get(code);
}

/** Incremented by every registration or removal. */
export function registryGeneration(): number {
  return generation;
}

function check(sp: SearchParameter): void {
  const problems: string[] = [];
  if (sp.resourceType !== 'SearchParameter') problems.push('resourceType must be SearchParameter');
  if (!sp.url) problems.push('url is required');
  if (!sp.code || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(sp.code)) problems.push(`code '${sp.code ?? ''}' must be letters, digits, '_', '-' or '.'`);
  if (sp.code === '_id' || sp.code === '_lastUpdated') problems.push(`${sp.code} cannot be redefined`);
  if (!isSearchParamType(sp.type)) problems.push(`type '${sp.type ?? ''}' is not a search parameter type`);
  const bases = (sp.base ?? []) as string[];
  if (bases.length === 0) problems.push('base is required');
  for (const b of bases) if (!isResourceType(b) && !BASE_LEVELS.has(b)) problems.push(`base '${b}' is not an R4 resource type`);
  if (sp.type !== 'special' && !sp.expression) problems.push('expression is required');
  for (const c of sp.component ?? []) {
    if (!c.definition || !searchParameterByUrl(c.definition)) problems.push(`component definition '${c.definition ?? ''}' is unknown`);
    if (!c.expression) problems.push('component expression is required');
  }
  if (problems.length > 0) throw errors.unprocessable(`Invalid SearchParameter: ${problems.join('; ')}`);
}

/** The resource types a SearchParameter applies to (its bases, `Resource` and `DomainResource` expanded). */
export function affectedTypes(sp: SearchParameter): string[] {
  return resourceTypes().filter((t) => appliesTo(sp, t));
}

/** The custom SearchParameters registered now. */
export function customSearchParameters(): SearchParameter[] {
  return [...custom.values()];
}

/**
 * Checks a SearchParameter as registerSearchParameter would, without registering it: 422 when
 * it is invalid, its expression does not compile for one of its bases, or another custom
 * parameter (other url) already has its code on one of them. `replacing`: the url of a parameter
 * this one replaces (ignored in that comparison). Returns the definitions.
 */
export function validateSearchParameter(sp: SearchParameter, replacing?: string): SearchParamDef[] {
  check(sp);
  const types = affectedTypes(sp);
  for (const other of custom.values()) {
    if (other.url === sp.url || other.url === replacing || other.code !== sp.code) continue;
    const shared = types.find((t) => appliesTo(other, t));
    if (shared) throw errors.unprocessable(`Invalid SearchParameter: code '${sp.code}' is already defined for ${shared} by ${other.url}`);
  }
  try {
    return types.map((t) => buildDefinition(sp, t, 'custom', searchParameterByUrl));
  } catch (e) {
    throw errors.unprocessable(`Invalid SearchParameter expression: ${(e as Error).message}`);
  }
}

/**
 * Adds (or replaces, by url) a custom SearchParameter, in memory. Its expression is compiled for
 * each base type at once, so an expression that cannot be evaluated is refused (422) and leaves
 * the registry unchanged. Returns the new definitions, one per resource type. Resources stored
 * before the registration have no index rows for it until they are reindexed.
 */
export function registerSearchParameter(sp: SearchParameter): SearchParamDef[] {
  const defs = validateSearchParameter(sp);
  const previous = custom.get(sp.url!);
  custom.set(sp.url!, sp);
  for (const t of new Set([...affectedTypes(sp), ...(previous ? affectedTypes(previous) : [])])) byType.delete(t);
  generation++;
  return defs;
}

/** Removes a custom SearchParameter by url; false when there is none. */
export function unregisterSearchParameter(url: string): boolean {
  const sp = custom.get(url);
  if (!sp) return false;
  custom.delete(url);
  for (const t of affectedTypes(sp)) byType.delete(t);
  generation++;
  return true;
}

import { resourceTypes } from '../../fhir/resource-types';
import { searchParameters, targetsOf } from './params';
import { registryGeneration } from '../registry';
import type { ParamDef } from './types';

/**
 * What the search implementation supports, per resource type, for the CapabilityStatement:
 * every searchable parameter with its modifiers, and the _include / _revinclude values.
 */

export interface SearchParamCapability {
  name: string;
  type: 'number' | 'date' | 'string' | 'token' | 'reference' | 'composite' | 'quantity' | 'uri' | 'special';
  definition?: string;
  documentation: string;
}

export interface SearchCapability {
  params: SearchParamCapability[];
  include: string[];
  revinclude: string[];
}

/** Parameters defined in R4 but not searchable here. */
const NOT_SUPPORTED = new Set(['_query']);
const PREFIXED = 'Prefixes eq ne gt lt ge le sa eb ap; :missing.';

/** Short per-type notes on the modifiers supported (the search page of the README has the details). */
const DOCS: Record<string, string> = {
  string: ':exact :contains :missing.',
  token: ':not :text :in :not-in :above :below :of-type :missing.',
  reference: ':[type] :identifier :above :below (canonical URLs) :missing; chains, _has.',
  date: PREFIXED,
  number: PREFIXED,
  quantity: PREFIXED,
  uri: ':above :below :missing.',
  composite: 'Components joined by $; :missing.',
};

const SPECIAL_DOCS: Record<string, string> = {
  _id: ':not.',
  _lastUpdated: 'Prefixes eq ne gt lt ge le sa eb ap.',
  _text: 'Full text of the narrative.',
  _content: 'Full text of the resource.',
  _list: 'Members of a List.',
};

function describe(p: ParamDef): SearchParamCapability | undefined {
  if (NOT_SUPPORTED.has(p.code)) return undefined;
  const special = SPECIAL_DOCS[p.code];
  if (p.type === 'special' && !special) return undefined;
  return {
    name: p.code,
    type: p.type,
    ...(p.url ? { definition: p.url } : {}),
    documentation: special ?? DOCS[p.type] ?? '',
  };
}

let revincludes: Map<string, string[]> | undefined;
/** The registry generation `revincludes` was built from: custom reference parameters change it. */
let revincludesGeneration = -1;

function revincludesOf(type: string): string[] {
  if (!revincludes || revincludesGeneration !== registryGeneration()) {
    revincludesGeneration = registryGeneration();
    revincludes = new Map();
    for (const source of resourceTypes()) {
      for (const p of searchParameters(source)) {
        if (p.type !== 'reference') continue;
        for (const target of new Set(targetsOf(p))) {
          const list = revincludes.get(target) ?? [];
          list.push(`${source}:${p.code}`);
          revincludes.set(target, list);
        }
      }
    }
  }
  return revincludes.get(type) ?? [];
}

const LIST_PARAM: SearchParamCapability = { name: '_list', type: 'special', documentation: SPECIAL_DOCS._list! };

export function searchCapability(type: string): SearchCapability {
  const params = searchParameters(type);
  return {
    params: [...params.map(describe).filter((p): p is SearchParamCapability => p !== undefined), LIST_PARAM].sort((a, b) => (a.name < b.name ? -1 : 1)),
    include: ['*', `${type}:*`, ...params.filter((p) => p.type === 'reference').map((p) => `${type}:${p.code}`)],
    revinclude: revincludesOf(type),
  };
}

/** Parameters of a system search (`GET [base]?…`): those every resource type has. */
export function systemSearchCapability(): SearchParamCapability[] {
  const types = resourceTypes();
  const common = searchParameters(types[0]!).filter((p) => types.every((t) => searchParameters(t).some((q) => q.code === p.code)));
  return [
    ...common.map(describe).filter((p): p is SearchParamCapability => p !== undefined),
    LIST_PARAM,
    { name: '_type', type: 'token', documentation: 'Resource types to search, comma-separated.' },
  ];
}

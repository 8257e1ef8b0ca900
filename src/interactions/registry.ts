import { resourceTypes } from '../fhir/resource-types';
import { searchCapability, type SearchCapability } from '../search/query/capability';

/**
 * What Hearth serves, in one place: the HTTP router, the CapabilityStatement and (later) the
 * OpenAPI document are all built from this registry.
 */

export type TypeInteraction =
  | 'read'
  | 'vread'
  | 'update'
  | 'patch'
  | 'delete'
  | 'history-instance'
  | 'history-type'
  | 'create'
  | 'search-type';

export type SystemInteraction = 'history-system' | 'search-system';

export interface TypeCapability {
  type: string;
  interactions: TypeInteraction[];
  versioning: 'no-version' | 'versioned' | 'versioned-update';
  readHistory: boolean;
  updateCreate: boolean;
  conditionalCreate: boolean;
  conditionalRead: 'not-supported' | 'modified-since' | 'not-match' | 'full-support';
  conditionalUpdate: boolean;
  conditionalDelete: 'not-supported' | 'single' | 'multiple';
  /** Criteria parameters usable in conditional interactions. */
  conditionalParameters: string[];
  /** Search parameters, modifiers, _include and _revinclude values of search-type. */
  search: SearchCapability;
}

export interface ServerRegistry {
  types: TypeCapability[];
  systemInteractions: SystemInteraction[];
  formats: string[];
  patchFormats: string[];
}

const ALL_TYPE_INTERACTIONS: TypeInteraction[] = [
  'read',
  'vread',
  'update',
  'patch',
  'delete',
  'history-instance',
  'history-type',
  'create',
  'search-type',
];

let registry: ServerRegistry | undefined;

function withSearch(search: SearchCapability): Pick<TypeCapability, 'search' | 'conditionalParameters'> {
  return { search, conditionalParameters: search.params.map((p) => p.name) };
}

export function serverRegistry(): ServerRegistry {
  if (!registry) {
    registry = {
      types: resourceTypes().map((type) => ({
        type,
        ...withSearch(searchCapability(type)),
        interactions: ALL_TYPE_INTERACTIONS,
        versioning: 'versioned-update',
        readHistory: true,
        updateCreate: true,
        conditionalCreate: true,
        conditionalRead: 'full-support',
        conditionalUpdate: true,
        conditionalDelete: 'single',
      })),
      systemInteractions: ['history-system', 'search-system'],
      formats: ['application/fhir+json', 'json'],
      patchFormats: ['application/json-patch+json'],
    };
  }
  return registry;
}

export function typeCapability(type: string): TypeCapability | undefined {
  return serverRegistry().types.find((t) => t.type === type);
}

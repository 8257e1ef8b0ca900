import { resourceTypes } from '../fhir/resource-types';
import { searchCapability, type SearchCapability } from '../search/query/capability';
import { registryGeneration } from '../search/registry';

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

/** A `$` operation the server offers, declared in the CapabilityStatement with its OperationDefinition. */
export interface OperationCapability {
  /** The code, without `$`. */
  name: string;
  /** Id of its OperationDefinition, served at [base]/OperationDefinition/{id} (also its canonical URL). */
  definitionId: string;
  system: boolean;
  type: boolean;
  instance: boolean;
  affectsState: boolean;
}

/** $reindex (src/reindex/operation.ts): POST [base]/$reindex and [base]/[type]/$reindex. */
export const REINDEX_OPERATION: OperationCapability = { name: 'reindex', definitionId: 'reindex', system: true, type: true, instance: false, affectsState: true };

/** The canonical URL of an operation's OperationDefinition on this server. */
export function operationDefinitionUrl(baseUrl: string, op: OperationCapability): string {
  return `${baseUrl}/OperationDefinition/${op.definitionId}`;
}

/** The server's own operation whose OperationDefinition has this canonical URL (on any base). */
export function declaredOperation(definition: string): OperationCapability | undefined {
  return serverRegistry().operations.find((o) => definition.endsWith(`/OperationDefinition/${o.definitionId}`));
}

export interface ServerRegistry {
  types: TypeCapability[];
  systemInteractions: SystemInteraction[];
  operations: OperationCapability[];
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
/** The search parameter registry generation `registry` was built from (custom parameters change it). */
let builtFrom = -1;

function withSearch(search: SearchCapability): Pick<TypeCapability, 'search' | 'conditionalParameters'> {
  return { search, conditionalParameters: search.params.map((p) => p.name) };
}

export function serverRegistry(): ServerRegistry {
  if (!registry || builtFrom !== registryGeneration()) {
    builtFrom = registryGeneration();
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
      operations: [REINDEX_OPERATION],
      formats: ['application/fhir+json', 'json'],
      patchFormats: ['application/json-patch+json'],
    };
  }
  return registry;
}

export function typeCapability(type: string): TypeCapability | undefined {
  return serverRegistry().types.find((t) => t.type === type);
}

import type {
  CapabilityStatement,
  CapabilityStatementRestResourceOperation,
} from '@medplum/fhirtypes';
import {
  ANY_RESOURCE,
  COMMON_PARAMETERS,
  commonRequestBodies,
  commonResponses,
  content,
  JSON_PATCH,
  mediaTypes,
  ref,
  resourceSchema,
  type Json,
} from './openapi-components';
import { formSchema, includeParameters, searchParameters } from './openapi-parameters';

/**
 * The OpenAPI 3.1 document of the FHIR REST API, built from the CapabilityStatement: every type,
 * interaction, search parameter and operation the statement declares becomes a path and method,
 * so the two cannot disagree.
 */

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  tags: string[];
  parameters?: Json[];
  requestBody?: Json;
  responses: Record<string, Json>;
  /** The CapabilityStatement interaction code (or `operation:$name`, or `capabilities`). */
  'x-fhir-interaction': string;
}

export interface OpenApiDocument {
  openapi: string;
  info: Json;
  servers: { url: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Partial<Record<HttpMethod, OpenApiOperation>>>;
  components: Record<string, Record<string, Json>>;
  security: Record<string, string[]>[];
}

/** Where an OperationDefinition may be invoked, and whether GET is allowed (no state change). */
export interface OperationLevels {
  system: boolean;
  type: boolean;
  instance: boolean;
  affectsState: boolean;
}

export interface OpenApiOptions {
  /** Resolves an operation's definition canonical; unknown ones are offered by POST at type and instance level. */
  operationLevels?: (definition: string) => OperationLevels | undefined;
}

const SYSTEM_TAG = 'System';

export function buildOpenApi(cs: CapabilityStatement, options: OpenApiOptions = {}): OpenApiDocument {
  const types = mediaTypes(cs.format);
  const patchTypes = cs.patchFormat?.length ? cs.patchFormat : ['application/json-patch+json'];
  const rest = cs.rest?.find((r) => r.mode === 'server') ?? cs.rest?.[0];
  const resources = rest?.resource ?? [];
  const doc: OpenApiDocument = {
    openapi: '3.1.0',
    info: {
      title: `${cs.software?.name ?? 'FHIR server'} FHIR R4 API`,
      version: cs.software?.version ?? cs.version ?? '0',
      description: `${cs.implementation?.description ?? 'FHIR server'}, generated from its CapabilityStatement (FHIR ${cs.fhirVersion}). Errors are OperationOutcome resources.`,
    },
    servers: [{ url: cs.implementation?.url ?? '/fhir' }],
    tags: [{ name: SYSTEM_TAG, description: 'Whole-system interactions' }, ...resources.map((r) => ({ name: r.type, description: `FHIR ${r.type}` }))],
    paths: {},
    components: {
      schemas: { Resource: ANY_RESOURCE, JsonPatch: JSON_PATCH },
      parameters: { ...COMMON_PARAMETERS },
      responses: commonResponses(types),
      requestBodies: commonRequestBodies(types, patchTypes),
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'OAuth2 access token (SMART on FHIR)' },
      },
    },
    // Declared; without a rest.security in the statement, anonymous requests are accepted too.
    security: rest?.security ? [{ bearer: [] }] : [{ bearer: [] }, {}],
  };
  for (const t of ['Bundle', 'OperationOutcome', 'Parameters', 'CapabilityStatement', ...resources.map((r) => r.type)]) {
    doc.components.schemas![t] = resourceSchema(t);
  }

  const add = (method: HttpMethod, path: string, op: OpenApiOperation) => {
    const item = (doc.paths[path] ??= {});
    if (item[method]) throw new Error(`OpenAPI: ${method.toUpperCase()} ${path} declared twice`);
    item[method] = op;
  };
  const body = (schema: string): Json => ({ required: true, content: content(types, ref('schemas', schema)) });
  const ok = (schema: string, description: string): Json => ({ description, content: content(types, ref('schemas', schema)) });
  const P = (name: string) => ref('parameters', name);
  const R = (name: string) => ref('responses', name);
  const fmt = [P('_format'), P('_pretty')];
  const resultParams = ['_sort', '_count', '_total', '_summary', '_elements', '_page'].map(P);

  add('get', '/metadata', {
    operationId: 'capabilities',
    summary: 'The CapabilityStatement of this server',
    tags: [SYSTEM_TAG],
    parameters: fmt,
    responses: { '200': ok('CapabilityStatement', 'The CapabilityStatement'), default: R('Error') },
    'x-fhir-interaction': 'capabilities',
  });

  for (const r of resources) {
    const T = r.type;
    const codes = new Set((r.interaction ?? []).map((i) => i.code));
    const search = searchParameters(doc, T, r.searchParam);
    const op = (code: string, summary: string, rest: Omit<OpenApiOperation, 'operationId' | 'summary' | 'tags' | 'x-fhir-interaction'>, suffix = ''): OpenApiOperation => ({
      operationId: `${code}${suffix}-${T}`,
      summary,
      tags: [T],
      ...rest,
      'x-fhir-interaction': code,
    });
    const notFound = { '404': R('NotFound') };
    if (codes.has('read')) {
      add('get', `/${T}/{id}`, op('read', `Read a ${T}`, {
        parameters: [P('id'), P('_summary'), P('_elements'), ...fmt, P('If-None-Match'), P('If-Modified-Since')],
        responses: { '200': ok(T, `The current ${T}`), '304': R('NotModified'), ...notFound, '410': R('Gone'), default: R('Error') },
      }));
    }
    if (codes.has('vread')) {
      add('get', `/${T}/{id}/_history/{vid}`, op('vread', `Read a version of a ${T}`, {
        parameters: [P('id'), P('vid'), P('_summary'), P('_elements'), ...fmt],
        responses: { '200': ok(T, `That version of the ${T}`), ...notFound, '410': R('Gone'), default: R('Error') },
      }));
    }
    const writeResponses = (created: boolean) => ({
      '200': ok(T, `The updated ${T} (Prefer: return=representation, the default)`),
      ...(created ? { '201': ok(T, `The created ${T}`) } : {}),
      '400': R('BadRequest'),
      '409': R('Conflict'),
      '412': R('PreconditionFailed'),
      '422': R('Unprocessable'),
      default: R('Error'),
    });
    if (codes.has('update')) {
      add('put', `/${T}/{id}`, op('update', `Update a ${T}${r.updateCreate ? ' (creates it with this id when new)' : ''}`, {
        parameters: [P('id'), P('If-Match'), P('Prefer'), ...fmt],
        requestBody: body(T),
        responses: { ...writeResponses(Boolean(r.updateCreate)), ...notFound },
      }));
      if (r.conditionalUpdate) {
        add('put', `/${T}`, op('update', `Conditional update of a ${T}: no match creates, one updates, several give 412`, {
          parameters: [...search, P('If-Match'), P('Prefer'), ...fmt],
          requestBody: body(T),
          responses: writeResponses(true),
        }, '-conditional'));
      }
    }
    if (codes.has('patch')) {
      add('patch', `/${T}/{id}`, op('patch', `Patch a ${T} with a JSON Patch`, {
        parameters: [P('id'), P('If-Match'), P('Prefer'), ...fmt],
        requestBody: ref('requestBodies', 'JsonPatch'),
        responses: { ...writeResponses(false), ...notFound },
      }));
      // R4 has no conditionalPatch flag; conditional patch is offered wherever conditional update is.
      if (r.conditionalUpdate) {
        add('patch', `/${T}`, op('patch', `Conditional patch of the one ${T} matching the criteria`, {
          parameters: [...search, P('If-Match'), P('Prefer'), ...fmt],
          requestBody: ref('requestBodies', 'JsonPatch'),
          responses: { ...writeResponses(false), ...notFound },
        }, '-conditional'));
      }
    }
    const deleteResponses = { '200': ok('OperationOutcome', 'Deleted (Prefer: return=OperationOutcome)'), '204': R('NoContent'), '409': R('Conflict'), '412': R('PreconditionFailed'), default: R('Error') };
    if (codes.has('delete')) {
      add('delete', `/${T}/{id}`, op('delete', `Delete a ${T}`, { parameters: [P('id'), P('Prefer')], responses: { ...deleteResponses, ...notFound } }));
      if (r.conditionalDelete && r.conditionalDelete !== 'not-supported') {
        add('delete', `/${T}`, op('delete', `Conditional delete (${r.conditionalDelete} match) of ${T}`, { parameters: [...search, P('Prefer')], responses: deleteResponses }, '-conditional'));
      }
    }
    const historyParams = [P('_count'), P('_since'), P('_at'), P('_page'), ...fmt];
    if (codes.has('history-instance')) {
      add('get', `/${T}/{id}/_history`, op('history-instance', `History of a ${T}`, { parameters: [P('id'), ...historyParams], responses: { '200': R('Bundle'), ...notFound, default: R('Error') } }));
    }
    if (codes.has('history-type')) {
      add('get', `/${T}/_history`, op('history-type', `History of all ${T} resources`, { parameters: historyParams, responses: { '200': R('Bundle'), default: R('Error') } }));
    }
    if (codes.has('create')) {
      add('post', `/${T}`, op('create', `Create a ${T}`, {
        parameters: [...(r.conditionalCreate ? [P('If-None-Exist')] : []), P('Prefer'), ...fmt],
        requestBody: body(T),
        responses: { '200': ok(T, 'An existing match of If-None-Exist'), '201': ok(T, `The created ${T}`), '400': R('BadRequest'), '412': R('PreconditionFailed'), '422': R('Unprocessable'), default: R('Error') },
      }));
    }
    if (codes.has('search-type')) {
      const responses = { '200': R('Bundle'), '400': R('BadRequest'), default: R('Error') };
      const includes = includeParameters(doc, T, r.searchInclude, r.searchRevInclude);
      add('get', `/${T}`, op('search-type', `Search ${T} resources`, { parameters: [...search, ...includes, ...resultParams, ...fmt], responses }));
      add('post', `/${T}/_search`, op('search-type', `Search ${T} resources with form-encoded criteria`, {
        parameters: fmt,
        requestBody: { required: false, content: { 'application/x-www-form-urlencoded': { schema: formSchema(r.searchParam) } } },
        responses,
      }, '-post'));
    }
    for (const o of r.operation ?? []) addOperation(add, o, T, options, types);
  }

  const system = new Set<string>((rest?.interaction ?? []).map((i) => i.code));
  const systemCodes = ['batch', 'transaction'].filter((c) => system.has(c));
  if (systemCodes.length > 0) {
    add('post', '/', {
      operationId: systemCodes.join('-'),
      summary: `Process a ${systemCodes.join(' or ')} Bundle`,
      tags: [SYSTEM_TAG],
      parameters: [P('Prefer'), ...fmt],
      requestBody: ref('requestBodies', 'Bundle'),
      responses: { '200': R('Bundle'), '400': R('BadRequest'), '413': R('Error'), default: R('Error') },
      'x-fhir-interaction': systemCodes.join(','),
    });
  }
  if (system.has('history-system')) {
    add('get', '/_history', { operationId: 'history-system', summary: 'History of every resource', tags: [SYSTEM_TAG], parameters: [P('_count'), P('_since'), P('_at'), P('_page'), ...fmt], responses: { '200': R('Bundle'), default: R('Error') }, 'x-fhir-interaction': 'history-system' });
  }
  if (system.has('search-system')) {
    const params = searchParameters(doc, 'system', rest?.searchParam);
    const responses = { '200': R('Bundle'), '400': R('BadRequest'), default: R('Error') };
    add('get', '/', { operationId: 'search-system', summary: 'Search across all resource types', tags: [SYSTEM_TAG], parameters: [...params, ...resultParams, ...fmt], responses, 'x-fhir-interaction': 'search-system' });
    add('post', '/_search', {
      operationId: 'search-system-post',
      summary: 'Search across all resource types with form-encoded criteria',
      tags: [SYSTEM_TAG],
      parameters: fmt,
      requestBody: { required: false, content: { 'application/x-www-form-urlencoded': { schema: formSchema(rest?.searchParam) } } },
      responses,
      'x-fhir-interaction': 'search-system',
    });
  }
  // Compartment search (GET [base]/Patient/[id]/[type]) for each compartment the statement names.
  for (const canonical of rest?.compartment ?? []) {
    const code = canonical.split('/').pop() ?? '';
    const owner = resources.find((r) => r.type.toLowerCase() === code.toLowerCase());
    if (!owner) continue;
    add('get', `/${owner.type}/{id}/{compartmentType}`, {
      operationId: `search-compartment-${owner.type}`,
      summary: `Search the resources in a ${owner.type}'s compartment (${canonical})`,
      tags: [owner.type],
      parameters: [P('id'), P('compartmentType'), ...resultParams, ...fmt],
      responses: { '200': R('Bundle'), '400': R('BadRequest'), '404': R('NotFound'), default: R('Error') },
      'x-fhir-interaction': 'search-compartment',
    });
  }
  for (const o of rest?.operation ?? []) addOperation(add, o, undefined, options, types);
  return doc;
}

function addOperation(
  add: (method: HttpMethod, path: string, op: OpenApiOperation) => void,
  o: CapabilityStatementRestResourceOperation,
  type: string | undefined,
  options: OpenApiOptions,
  types: string[],
): void {
  const levels = options.operationLevels?.(o.definition) ?? { system: !type, type: Boolean(type), instance: Boolean(type), affectsState: true };
  const paths: [string, string][] = [];
  if (!type && levels.system) paths.push([`/$${o.name}`, 'system']);
  if (type && levels.type) paths.push([`/${type}/$${o.name}`, 'type']);
  if (type && levels.instance) paths.push([`/${type}/{id}/$${o.name}`, 'instance']);
  for (const [path, level] of paths) {
    const methods: HttpMethod[] = levels.affectsState ? ['post'] : ['post', 'get'];
    for (const method of methods) {
      add(method, path, {
        operationId: `${o.name}-${level}${type ? `-${type}` : ''}-${method}`,
        summary: `$${o.name}${type ? ` on ${level === 'instance' ? `a ${type}` : type}` : ''}`,
        tags: [type ?? SYSTEM_TAG],
        parameters: [...(level === 'instance' ? [ref('parameters', 'id')] : []), ref('parameters', '_format'), ref('parameters', '_pretty')],
        ...(method === 'post' ? { requestBody: ref('requestBodies', 'Parameters') } : {}),
        responses: { '200': { description: `Result of $${o.name} (${o.definition})`, content: content(types, ref('schemas', 'Resource')) }, default: ref('responses', 'Error') },
        'x-fhir-interaction': `operation:$${o.name}`,
      });
    }
  }
}

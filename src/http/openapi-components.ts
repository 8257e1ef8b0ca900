/**
 * Shared pieces of the OpenAPI document: media types, reusable parameters, responses, request
 * bodies and the loose resource schemas. openapi.ts assembles paths from them.
 */

export type Json = Record<string, unknown>;

export const ref = (kind: 'parameters' | 'responses' | 'schemas' | 'requestBodies', name: string): Json => ({
  $ref: `#/components/${kind}/${name}`,
});

/** Maps CapabilityStatement.format codes to media types (`json` is application/json). */
export function mediaTypes(formats: string[] | undefined): string[] {
  const short: Record<string, string> = { json: 'application/json', xml: 'application/xml', ttl: 'text/turtle' };
  const all = (formats ?? ['application/fhir+json']).map((f) => short[f] ?? f);
  return [...new Set(all)];
}

/** A content map giving every media type the same schema. */
export function content(types: string[], schema: Json): Json {
  return Object.fromEntries(types.map((t) => [t, { schema }]));
}

/** A resource schema kept loose: an object with its resourceType fixed; the FHIR definition is linked. */
export function resourceSchema(type: string): Json {
  return {
    type: 'object',
    description: `A FHIR R4 ${type} resource (validated by the server against the R4 base definition).`,
    required: ['resourceType'],
    properties: { resourceType: { const: type }, id: { type: 'string' }, meta: { type: 'object' } },
    additionalProperties: true,
    externalDocs: { url: `http://hl7.org/fhir/R4/${type.toLowerCase()}.html` },
  };
}

export const ANY_RESOURCE: Json = {
  type: 'object',
  description: 'Any FHIR R4 resource.',
  required: ['resourceType'],
  properties: { resourceType: { type: 'string' } },
  additionalProperties: true,
};

export const JSON_PATCH: Json = {
  type: 'array',
  description: 'A JSON Patch document (RFC 6902).',
  items: {
    type: 'object',
    required: ['op', 'path'],
    properties: {
      op: { enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'] },
      path: { type: 'string' },
      from: { type: 'string' },
      value: {},
    },
  },
};

const query = (name: string, description: string, schema: Json = { type: 'string' }): Json => ({ name, in: 'query', required: false, description, schema });
const headerParam = (name: string, description: string): Json => ({ name, in: 'header', required: false, description, schema: { type: 'string' } });

/** Parameters every type shares, keyed by their component names. */
export const COMMON_PARAMETERS: Record<string, Json> = {
  id: { name: 'id', in: 'path', required: true, description: 'Logical id of the resource', schema: { type: 'string', pattern: '^[A-Za-z0-9\\-\\.]{1,64}$' } },
  vid: { name: 'vid', in: 'path', required: true, description: 'Version id', schema: { type: 'string' } },
  _format: query('_format', 'Response format, overriding Accept (json, application/fhir+json)'),
  _pretty: query('_pretty', 'Indent the JSON response', { type: 'boolean' }),
  _summary: query('_summary', 'Return a summary of the resource', { enum: ['true', 'false', 'text', 'data', 'count'] }),
  _elements: query('_elements', 'Comma-separated top-level elements to return'),
  _count: query('_count', 'Page size', { type: 'integer', minimum: 0 }),
  _since: query('_since', 'Only versions created at or after this instant', { type: 'string', format: 'date-time' }),
  _at: query('_at', 'Only versions current at this time'),
  _page: query('_page', 'Opaque paging cursor from a previous page\'s next link'),
  _sort: query('_sort', 'Comma-separated search parameters to sort by; a leading - sorts descending'),
  _total: query('_total', 'Whether to count the matches', { enum: ['none', 'estimate', 'accurate'] }),
  compartmentType: { name: 'compartmentType', in: 'path', required: true, description: 'A resource type in the compartment, or * for all of them', schema: { type: 'string' } },
  'If-Match': headerParam('If-Match', 'Version-aware write: the expected current version, W/"n" (stale: 412)'),
  'If-None-Match': headerParam('If-None-Match', 'Conditional read: W/"n"; unchanged gives 304'),
  'If-Modified-Since': headerParam('If-Modified-Since', 'Conditional read: HTTP date; unchanged gives 304'),
  'If-None-Exist': headerParam('If-None-Exist', 'Conditional create: search criteria (e.g. identifier=sys|val); a match is returned instead of creating'),
  Prefer: headerParam('Prefer', 'return=minimal | representation | OperationOutcome'),
};

const outcome = (types: string[], description: string): Json => ({ description, content: content(types, ref('schemas', 'OperationOutcome')) });

/** Reusable responses; errors are always OperationOutcomes. */
export function commonResponses(types: string[]): Record<string, Json> {
  return {
    Error: outcome(types, 'Error (400 invalid request, 401/403, 405, 406 unsupported format, 413 too large, 415 unsupported media type, 500)'),
    BadRequest: outcome(types, 'Invalid request or search criteria'),
    NotFound: outcome(types, 'Unknown resource type or id'),
    Gone: outcome(types, 'The resource was deleted'),
    Conflict: outcome(types, 'Conflict (e.g. the resource is still referred to)'),
    PreconditionFailed: outcome(types, 'Version mismatch (If-Match) or several matches of conditional criteria'),
    Unprocessable: outcome(types, 'The resource is not valid FHIR R4 (every problem listed, with expression paths)'),
    NotModified: { description: 'Not modified since the given version or date' },
    NoContent: { description: 'Done; nothing returned (Prefer: return=minimal or a delete)' },
    Bundle: { description: 'A Bundle', content: content(types, ref('schemas', 'Bundle')) },
  };
}

/** Named request bodies: a Bundle for batch/transaction, a JSON Patch, FHIR Parameters. */
export function commonRequestBodies(types: string[], patchTypes: string[]): Record<string, Json> {
  return {
    Bundle: { required: true, description: 'A batch or transaction Bundle', content: content(types, ref('schemas', 'Bundle')) },
    JsonPatch: { required: true, description: 'A JSON Patch document', content: content(patchTypes, ref('schemas', 'JsonPatch')) },
    Parameters: { required: false, description: 'Operation input as a Parameters resource', content: content(types, ref('schemas', 'Parameters')) },
  };
}

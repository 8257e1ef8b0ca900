import type { CapabilityStatementRestResourceSearchParam } from '@medplum/fhirtypes';
import { ref, type Json } from './openapi-components';
import type { OpenApiDocument } from './openapi';

// Query parameters of searches, registered as components of the document under `<type>.<name>`.

/** Registers a type's (or the system's) search parameters as components and returns references to them. */
export function searchParameters(doc: OpenApiDocument, owner: string, params: CapabilityStatementRestResourceSearchParam[] | undefined): Json[] {
  return (params ?? []).map((p) => {
    const key = `${owner}.${p.name}`;
    doc.components.parameters![key] = {
      name: p.name,
      in: 'query',
      required: false,
      description: [`FHIR ${p.type} search parameter.`, p.documentation].filter(Boolean).join(' '),
      schema: { type: 'string' },
    };
    return ref('parameters', key);
  });
}

/** `_include` and `_revinclude` of a type, their values as the statement declares them. */
export function includeParameters(doc: OpenApiDocument, owner: string, include: string[] | undefined, revinclude: string[] | undefined): Json[] {
  const out: Json[] = [];
  for (const [name, values, what] of [['_include', include, 'referenced by'], ['_revinclude', revinclude, 'referring to']] as const) {
    if (!values?.length) continue;
    const key = `${owner}.${name}`;
    doc.components.parameters![key] = {
      name,
      in: 'query',
      required: false,
      explode: true,
      description: `Adds the resources ${what} the matches (${values.length} values, e.g. ${values[0]}).`,
      schema: { type: 'array', items: { enum: values } },
    };
    out.push(ref('parameters', key));
  }
  return out;
}

export function formSchema(params: CapabilityStatementRestResourceSearchParam[] | undefined): Json {
  return { type: 'object', properties: Object.fromEntries((params ?? []).map((p) => [p.name, { type: 'string' }])) };
}

import type { Resource } from '@medplum/fhirtypes';
import { errors } from '../core/errors';
import { elementOf, elementSets } from '../fhir/summary';

/** `_summary` and `_elements` (search.html#summary, #elements): return a subset of a resource, tagged SUBSETTED. */

export type SummaryMode = 'true' | 'text' | 'data' | 'count' | 'false';
const SUMMARY_MODES = new Set(['true', 'text', 'data', 'count', 'false']);
const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

export interface Subsetting {
  summary?: SummaryMode;
  elements?: string[];
}

export function parseSubsetting(query: [string, string][]): Subsetting {
  const out: Subsetting = {};
  for (const [name, value] of query) {
    if (name === '_summary') {
      if (!SUMMARY_MODES.has(value)) throw errors.badRequest(`_summary must be one of true, text, data, count, false (got '${value}')`);
      out.summary = value as SummaryMode;
    } else if (name === '_elements') {
      out.elements = [...(out.elements ?? []), ...value.split(',').map((v) => v.trim()).filter(Boolean)];
    }
  }
  if (out.summary && out.summary !== 'false' && out.elements) {
    throw errors.badRequest('_summary and _elements cannot be combined');
  }
  return out;
}

function tagged(resource: Record<string, unknown>): Resource {
  const meta = (resource.meta ?? {}) as { tag?: { system?: string; code?: string }[] };
  const tags = (meta.tag ?? []).filter((t) => !(t.system === SUBSETTED.system && t.code === SUBSETTED.code));
  return { ...resource, meta: { ...meta, tag: [...tags, SUBSETTED] } } as unknown as Resource;
}

function keep(resource: Resource, wanted: (element: string) => boolean): Resource {
  const sets = elementSets(resource.resourceType);
  const out: Record<string, unknown> = { resourceType: resource.resourceType };
  for (const [key, value] of Object.entries(resource)) {
    if (key === 'resourceType') continue;
    const element = sets ? elementOf(key, sets) : key;
    if (wanted(element)) out[key] = value;
  }
  return tagged(out);
}

/** Keeps the summary elements of an object at `path`, descending into backbone elements. */
function summaryOf(node: Record<string, unknown>, path: string): Record<string, unknown> {
  const sets = elementSets(path);
  if (!sets) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'resourceType') {
      out[key] = value;
      continue;
    }
    const element = elementOf(key, sets);
    if (!sets.summary.has(element) && key !== 'id') continue;
    const child = sets.backbone.get(element);
    if (child && value && typeof value === 'object') {
      out[key] = Array.isArray(value)
        ? value.map((v) => (v && typeof v === 'object' ? summaryOf(v as Record<string, unknown>, child) : v))
        : summaryOf(value as Record<string, unknown>, child);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Applies `_summary` / `_elements` to one resource; returns it unchanged when neither asks for a subset. */
export function applySubsetting(resource: Resource, s: Subsetting): Resource {
  const sets = elementSets(resource.resourceType);
  if (s.elements && s.elements.length > 0) {
    const names = new Set(s.elements.map((e) => (e.includes('.') ? e.slice(e.indexOf('.') + 1) : e)));
    return keep(resource, (el) => el === 'id' || el === 'meta' || names.has(el) || Boolean(sets?.mandatory.has(el)));
  }
  switch (s.summary) {
    case 'true':
      return tagged(summaryOf(resource as unknown as Record<string, unknown>, resource.resourceType));
    case 'text':
      return keep(resource, (el) => el === 'id' || el === 'meta' || el === 'text' || Boolean(sets?.mandatory.has(el)));
    case 'data':
      return keep(resource, (el) => el !== 'text');
    default:
      return resource;
  }
}

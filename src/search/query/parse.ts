import { errors, FhirError, type Issue } from '../../core/errors';
import { isResourceType, resourceTypes } from '../../fhir/resource-types';
import type { ParseContext } from './context';
import { isUnsupported, parseCriterion, Unsupported } from './parse-criterion';
import { checkContained, parseCount, parseElements, parseInclude, parseSort, parseSummary, parseTotal } from './parse-results';
import type { Criterion, SearchRequest } from './types';

/**
 * Query parameters into a SearchRequest (search.html), without touching the database.
 * Repeated parameters AND, comma-separated values OR, `\` escapes (escaping.ts).
 * Parameters the server does not know or support are collected in `ignored` (lenient handling;
 * the caller refuses them with 400 under `Prefer: handling=strict`) and left out of `applied`.
 */

export interface ParseOptions extends ParseContext {
  /** The type of a type search; undefined for a system search (then `_type` chooses the types). */
  resourceType?: string;
  defaultCount: number;
  maxCount: number;
}

/** The paging cursor parameter. */
export const CURSOR_PARAMETER = '_page';
/** Parameters about the response format, not the search: accepted anywhere, never echoed in links. */
const FORMAT_PARAMETERS = new Set(['_format', '_pretty']);
const UNSUPPORTED = new Set(['_query', '_filter', '_containedType', '_score']);

function systemTypes(query: [string, string][], ignored: Issue[], applied: [string, string][]): string[] {
  const named = query.filter(([n]) => n === '_type');
  if (named.length === 0) return [...resourceTypes()];
  const types = new Set<string>();
  for (const [, value] of named) {
    for (const t of value.split(',')) {
      if (isResourceType(t)) types.add(t);
      else ignored.push(unsupportedIssue(`Unknown resource type '${t}' in _type`));
    }
    applied.push(['_type', value]);
  }
  if (types.size === 0) throw errors.badRequest('_type names no known resource type');
  return [...types].sort();
}

/** The query pair each top-level criterion was parsed from (an entry of `applied`). */
const origins = new WeakMap<Criterion, [string, string]>();

function unsupportedIssue(message: string): Issue {
  return { severity: 'warning', code: 'not-supported', diagnostics: `${message}; the parameter was ignored` };
}

export function parseSearch(query: [string, string][], options: ParseOptions): SearchRequest {
  const ignored: Issue[] = [];
  const applied: [string, string][] = [];
  const types = options.resourceType !== undefined ? [options.resourceType] : systemTypes(query, ignored, applied);
  const request: SearchRequest = { types, criteria: [], sort: [], count: options.defaultCount, include: [], revinclude: [], applied, ignored };
  for (const [name, value] of query) {
    if (FORMAT_PARAMETERS.has(name)) continue;
    if (name === '_type' && options.resourceType === undefined) continue;
    if (name === CURSOR_PARAMETER) {
      request.cursor = value;
      continue;
    }
    try {
      const pair: [string, string] = [name, value];
      const before = request.criteria.length;
      applyParameter(request, name, value, options);
      applied.push(pair);
      for (const c of request.criteria.slice(before)) origins.set(c, pair);
    } catch (e) {
      if (!isUnsupported(e)) throw e;
      ignored.push(unsupportedIssue(e.message));
    }
  }
  if (request.summary && request.summary !== 'false' && request.elements) throw errors.badRequest('_summary and _elements cannot be combined');
  return request;
}

function applyParameter(request: SearchRequest, name: string, value: string, options: ParseOptions): void {
  const base = name.split(':')[0]!;
  switch (base) {
    case '_sort':
      if (name !== '_sort') throw new Unsupported(`Unknown parameter '${name}'`);
      request.sort.push(...parseSort(value, request.types));
      return;
    case '_count':
      request.count = parseCount(value, options.maxCount);
      return;
    case '_total':
      request.total = parseTotal(value);
      return;
    case '_summary':
      request.summary = parseSummary(value);
      return;
    case '_elements':
      request.elements = [...(request.elements ?? []), ...parseElements(value)];
      return;
    case '_contained':
      checkContained(name, value);
      return;
    case '_include':
    case '_revinclude':
      for (const v of value.split(',')) (base === '_include' ? request.include : request.revinclude).push(parseInclude(name, v, request.types));
      return;
    default:
      if (UNSUPPORTED.has(base) || name === '_type') throw new Unsupported(`Parameter '${name}' is not supported here`);
      request.criteria.push(parseCriterion(name, value, request.types, options));
  }
}

/**
 * Leaves out a criterion found unsupported after parsing (e.g. by the terminology step): it is no
 * longer applied nor echoed in the `self` link, and is reported like any ignored parameter.
 */
export function dropCriterion(request: SearchRequest, criterion: Criterion, message: string): void {
  request.criteria = request.criteria.filter((c) => c !== criterion);
  const pair = origins.get(criterion);
  if (pair) request.applied = request.applied.filter((p) => p !== pair);
  request.ignored.push(unsupportedIssue(message));
}

/** The 400 answer to ignored parameters under strict handling. */
export function strictError(ignored: Issue[]): FhirError {
  return new FhirError(400, ignored.map((i) => ({ ...i, severity: 'error' as const, diagnostics: i.diagnostics.replace(/; the parameter was ignored$/, '') })));
}

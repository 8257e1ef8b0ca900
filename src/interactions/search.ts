import type { Bundle } from '@medplum/fhirtypes';
import { errors } from '../core/errors';
import { isValidId } from '../core/ids';
import { isResourceType } from '../fhir/resource-types';
import { compartmentMembers, compartmentScope } from '../search/query/compartment';
import { encodeCursor } from '../search/query/cursor';
import { dropCriterion, parseSearch, strictError } from '../search/query/parse';
import { planSearch, type SearchPlan } from '../search/query/plan';
import type { SearchRequest } from '../search/query/types';
import type { SearchRow } from '../storage/repository';
import type { Sql } from '../storage/sql';
import { searchset } from './search-bundle';
import { incompleteError, incompleteIssues } from './search-incomplete';
import { resolveIncludes } from './search-includes';
import { resolveCriteriaTerminology } from './terminology-lookup';
import type { FhirRequest, FhirResult, InteractionContext } from './types';

/**
 * search (search.html): type search `GET [base]/[type]?…` (and `POST [base]/[type]/_search`),
 * system search `GET [base]?_type=…`, compartment search `GET [base]/Patient/[id]/[type]?…` and
 * `[base]/Patient/[id]/*`. Answers a searchset Bundle, paged by keyset cursors.
 */

/** Most resources added to one page by _include / _revinclude. */
export const MAX_INCLUDED = 1000;

interface Scope {
  path: string;
  resourceType?: string;
  types?: string[];
  scope?: Sql;
}

function scopeOf(req: FhirRequest): Scope {
  if (req.compartment) {
    const { type, id } = req.compartment;
    const members = compartmentMembers(type);
    if (!members) throw errors.notFound(`Compartment searches are supported for Patient only, not ${type}`);
    if (!isValidId(id)) throw errors.badRequest(`Invalid resource id '${id}'`);
    if (req.resourceType === undefined) {
      const types = [...members.keys()].sort();
      return { path: `/${type}/${id}/*`, types, scope: compartmentScope(type, id, types, req.baseUrl) };
    }
    if (!isResourceType(req.resourceType)) throw errors.notFound(`Unknown resource type '${req.resourceType}'`);
    if (!members.has(req.resourceType)) throw errors.notFound(`${req.resourceType} is not in the ${type} compartment`);
    return { path: `/${type}/${id}/${req.resourceType}`, resourceType: req.resourceType, scope: compartmentScope(type, id, [req.resourceType], req.baseUrl) };
  }
  if (req.resourceType === undefined) return { path: '' };
  if (!isResourceType(req.resourceType)) throw errors.notFound(`Unknown resource type '${req.resourceType}'`);
  return { path: `/${req.resourceType}`, resourceType: req.resourceType };
}

async function parse(ctx: InteractionContext, req: FhirRequest, scope: Scope): Promise<SearchRequest> {
  const request = parseSearch(req.query, {
    resourceType: scope.resourceType,
    baseUrl: req.baseUrl,
    now: ctx.now?.() ?? new Date(),
    defaultCount: ctx.limits.defaultPageSize,
    maxCount: ctx.limits.maxPageSize,
  });
  if (scope.types) request.types = scope.types.filter((t) => request.types.includes(t));
  for (const u of await resolveCriteriaTerminology(ctx.repo, request.criteria)) dropCriterion(request, u.criterion, u.message);
  const handling = req.handling ?? ctx.searchHandling ?? 'lenient';
  if (handling === 'strict' && request.ignored.length > 0) throw strictError(request.ignored);
  return request;
}

async function total(ctx: InteractionContext, request: SearchRequest, plan: SearchPlan, rows: SearchRow[] | undefined): Promise<number | undefined> {
  if (request.summary === 'count' || request.count === 0 || request.total === 'accurate') return ctx.repo.count(plan.count, 'accurate');
  if (request.total === 'estimate') return ctx.repo.count(plan.estimate, 'estimate');
  if (request.total === 'none') return undefined;
  // Without _total, the total is given when it is free: a first page that holds every match.
  if (rows && plan.cursor === undefined && rows.length <= request.count) return rows.length;
  return undefined;
}

function cursorOf(plan: SearchPlan, row: SearchRow, direction: 'next' | 'previous'): string {
  return encodeCursor({ direction, sort: plan.signature, keys: row.sortKeys, type: row.resourceType, id: row.id });
}

export async function search(ctx: InteractionContext, req: FhirRequest): Promise<FhirResult> {
  const scope = scopeOf(req);
  const request = await parse(ctx, req, scope);
  const incomplete = incompleteIssues(ctx, request);
  if (incomplete.length > 0 && (req.handling ?? ctx.searchHandling) === 'strict') throw incompleteError(incomplete);
  const plan = planSearch(request, scope.scope);
  const pageWanted = request.summary !== 'count' && request.count > 0;
  const rows = pageWanted ? await ctx.repo.search(plan.page) : undefined;
  const more = rows !== undefined && rows.length > request.count;
  const backward = plan.cursor?.direction === 'previous';
  const page = (rows ?? []).slice(0, request.count);
  if (backward) page.reverse();

  let next: string | undefined;
  let previous: string | undefined;
  if (page.length > 0) {
    if (backward ? true : more) next = cursorOf(plan, page[page.length - 1]!, 'next');
    if (backward ? more : plan.cursor !== undefined) previous = cursorOf(plan, page[0]!, 'previous');
  }
  const included = page.length > 0 && (request.include.length > 0 || request.revinclude.length > 0)
    ? await resolveIncludes(ctx.repo, page, request.include, request.revinclude, MAX_INCLUDED, req.baseUrl)
    : { included: [], issues: [] };
  const bundle: Bundle = searchset({
    baseUrl: req.baseUrl,
    path: scope.path,
    applied: request.applied,
    matches: page,
    included: included.included,
    total: await total(ctx, request, plan, rows),
    self: request.cursor,
    next,
    previous,
    issues: [...request.ignored, ...incomplete, ...included.issues],
    subsetting: { summary: request.summary === 'count' ? undefined : request.summary, elements: request.elements },
  });
  return { status: 200, resource: bundle };
}

import type { Bundle, BundleEntry, BundleLink } from '@medplum/fhirtypes';
import { errors } from '../core/errors';
import type { HistoryQuery, StoredVersion } from '../storage/repository';
import { requireId, requireType } from './common';
import type { FhirRequest, FhirResult, InteractionContext } from './types';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const DATE_TIME = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;
const CURSOR_PARAM = '_page';
const IGNORED = new Set(['_format', '_pretty']);

function parseCount(value: string, ctx: InteractionContext): number {
  if (!/^\d+$/.test(value)) throw errors.badRequest(`_count must be a non-negative integer (got '${value}')`);
  return Math.min(Number(value), ctx.limits.maxPageSize);
}

function checkFormat(value: string, name: string, pattern: RegExp): void {
  if (!pattern.test(value) || Number.isNaN(Date.parse(value))) {
    throw errors.badRequest(`${name} must be a FHIR ${pattern === INSTANT ? 'instant' : 'dateTime'} (got '${value}')`);
  }
}

/** The period a dateTime stands for at its precision: `2020` is all of 2020, a full time is an instant. */
function period(value: string): { start: string; end?: string } {
  const [y, m, d] = value.split('-').map(Number) as [number, number?, number?];
  if (value.length === 4) return { start: new Date(Date.UTC(y, 0, 1)).toISOString(), end: new Date(Date.UTC(y + 1, 0, 1)).toISOString() };
  if (value.length === 7) return { start: new Date(Date.UTC(y, m! - 1, 1)).toISOString(), end: new Date(Date.UTC(y, m!, 1)).toISOString() };
  if (value.length === 10) return { start: new Date(Date.UTC(y, m! - 1, d!)).toISOString(), end: new Date(Date.UTC(y, m! - 1, d! + 1)).toISOString() };
  return { start: new Date(Date.parse(value)).toISOString() };
}

function parseQuery(ctx: InteractionContext, req: FhirRequest, base: Partial<HistoryQuery>): HistoryQuery {
  const query: HistoryQuery = { ...base, count: ctx.limits.defaultPageSize };
  for (const [name, value] of req.query) {
    if (name === '_count') query.count = parseCount(value, ctx);
    else if (name === '_since') {
      checkFormat(value, '_since', INSTANT);
      query.since = new Date(Date.parse(value)).toISOString();
    } else if (name === '_at') {
      checkFormat(value, '_at', DATE_TIME);
      const p = period(value);
      query.at = p.start;
      if (p.end) query.atEnd = p.end;
    }
    else if (name === CURSOR_PARAM) query.cursor = value;
    else if (!IGNORED.has(name)) throw errors.badRequest(`Unknown history parameter '${name}' (supported: _count, _since, _at)`);
  }
  return query;
}

function entry(v: StoredVersion, baseUrl: string): BundleEntry {
  const method = v.deleted ? 'DELETE' : v.versionId === 1 ? 'POST' : 'PUT';
  return {
    fullUrl: `${baseUrl}/${v.resourceType}/${v.id}`,
    ...(v.content ? { resource: v.content } : {}),
    request: { method, url: method === 'POST' ? v.resourceType : `${v.resourceType}/${v.id}` },
    response: {
      status: v.deleted ? '204' : v.versionId === 1 ? '201' : '200',
      etag: `W/"${v.versionId}"`,
      lastModified: v.lastUpdated,
    },
  };
}

async function historyBundle(ctx: InteractionContext, req: FhirRequest, path: string, base: Partial<HistoryQuery>): Promise<FhirResult> {
  const query = parseQuery(ctx, req, base);
  const page = await ctx.repo.history(query);
  const own = req.query.filter(([n]) => n !== CURSOR_PARAM && !IGNORED.has(n));
  const link = (relation: string, extra: [string, string][]): BundleLink => {
    const qs = new URLSearchParams([...own, ...extra]).toString();
    return { relation, url: `${req.baseUrl}${path}${qs ? `?${qs}` : ''}` };
  };
  const links: BundleLink[] = [link('self', query.cursor ? [[CURSOR_PARAM, query.cursor]] : [])];
  if (page.next) links.push(link('next', [[CURSOR_PARAM, page.next]]));
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'history',
    ...(page.total !== undefined ? { total: page.total } : {}),
    link: links,
    entry: page.entries.map((v) => entry(v, req.baseUrl)),
  };
  return { status: 200, resource: bundle };
}

/** history: GET [base]/[type]/[id]/_history, [base]/[type]/_history and [base]/_history; newest first, paged. */
export async function history(ctx: InteractionContext, req: FhirRequest): Promise<FhirResult> {
  if (req.resourceType === undefined) return historyBundle(ctx, req, '/_history', {});
  const type = requireType(req.resourceType);
  if (req.id === undefined) return historyBundle(ctx, req, `/${type}/_history`, { resourceType: type });
  const id = requireId(req.id);
  const exists = await ctx.repo.readCurrent(type, id);
  if (!exists) throw errors.notFound(`${type}/${id} not found`);
  return historyBundle(ctx, req, `/${type}/${id}/_history`, { resourceType: type, id });
}

import Router from '@koa/router';
import type { Context } from 'koa';
import { errors, FhirError } from '../core/errors';
import { capabilities, type SoftwareInfo } from '../interactions/capabilities';
import { create } from '../interactions/create';
import { conditionalDelete, remove } from '../interactions/delete';
import { history } from '../interactions/history';
import { conditionalPatch, patch } from '../interactions/patch';
import { read, vread } from '../interactions/read';
import { search } from '../interactions/search';
import { typeCapability, type TypeInteraction } from '../interactions/registry';
import { applySubsetting, parseSubsetting } from '../interactions/subsetting';
import type { FhirRequest, FhirResult, InteractionContext } from '../interactions/types';
import { conditionalUpdate, update } from '../interactions/update';
import { readFormBody, readJsonBody } from './body';
import { checkPatchContentType, checkResourceContentType, negotiateResponseType } from './format';
import { parsePrefer } from './prefer';
import { sendResult } from './respond';
import type { Resource } from '@medplum/fhirtypes';
import { processBundle } from '../bundles';
import { addOperationRoutes } from './operation-routes';

export interface RouteDeps {
  interactions: InteractionContext;
  maxBodyBytes: number;
  maxBundleEntries: number;
  baseUrl?: string;
  software: SoftwareInfo;
}

type Handler = (ctx: InteractionContext, req: FhirRequest) => Promise<FhirResult>;
type BodyKind = 'none' | 'resource' | 'patch' | 'form';

interface RouteSpec {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  /** The registry interaction this route serves; checked against the type's capability. */
  interaction?: TypeInteraction;
  body: BodyKind;
  write: boolean;
  /** Whether _summary/_elements apply to the returned resource. */
  subsettable?: boolean;
  /** A compartment search: `/:type/:id` name the compartment, `:target` the searched type (or `*`). */
  compartment?: boolean;
  handler: Handler;
}

/** Every FHIR REST route, keyed to the registry's interactions. */
const ROUTES: RouteSpec[] = [
  { method: 'get', path: '/_history', body: 'none', write: false, handler: history },
  { method: 'get', path: '/:type/_history', interaction: 'history-type', body: 'none', write: false, handler: history },
  { method: 'get', path: '/:type/:id/_history', interaction: 'history-instance', body: 'none', write: false, handler: history },
  { method: 'get', path: '/', body: 'none', write: false, handler: search },
  { method: 'post', path: '/_search', body: 'form', write: false, handler: search },
  { method: 'get', path: '/:type', interaction: 'search-type', body: 'none', write: false, handler: search },
  { method: 'post', path: '/:type/_search', interaction: 'search-type', body: 'form', write: false, handler: search },
  { method: 'get', path: '/:type/:id/_history/:vid', interaction: 'vread', body: 'none', write: false, subsettable: true, handler: vread },
  { method: 'get', path: '/:type/:id/:target', interaction: 'search-type', body: 'none', write: false, compartment: true, handler: search },
  { method: 'post', path: '/:type/:id/:target/_search', interaction: 'search-type', body: 'form', write: false, compartment: true, handler: search },
  { method: 'get', path: '/:type/:id', interaction: 'read', body: 'none', write: false, subsettable: true, handler: read },
  { method: 'post', path: '/:type', interaction: 'create', body: 'resource', write: true, handler: create },
  { method: 'put', path: '/:type/:id', interaction: 'update', body: 'resource', write: true, handler: update },
  { method: 'put', path: '/:type', interaction: 'update', body: 'resource', write: true, handler: conditionalUpdate },
  { method: 'patch', path: '/:type/:id', interaction: 'patch', body: 'patch', write: true, handler: patch },
  { method: 'patch', path: '/:type', interaction: 'patch', body: 'patch', write: true, handler: conditionalPatch },
  { method: 'delete', path: '/:type/:id', interaction: 'delete', body: 'none', write: true, handler: remove },
  { method: 'delete', path: '/:type', interaction: 'delete', body: 'none', write: true, handler: conditionalDelete },
];

/** Query parameters that are not search criteria (format and result parameters). */
const NOT_CRITERIA = new Set(['_format', '_pretty', '_summary', '_elements', '_count', '_sort', '_total', '_include', '_revinclude', '_contained', '_page']);

function header(ctx: Context, name: string): string | undefined {
  const v = ctx.get(name);
  return v === '' ? undefined : v;
}

export function baseUrlOf(ctx: Context, configured: string | undefined): string {
  return configured ?? `${ctx.protocol}://${ctx.host}/fhir`;
}

function queryPairs(ctx: Context): [string, string][] {
  const pairs = [...new URLSearchParams(ctx.querystring).entries()];
  if (pairs.some(([n, v]) => n.includes('\u0000') || v.includes('\u0000'))) {
    throw errors.badRequest('Query parameters must not contain NUL characters');
  }
  return pairs;
}

async function buildRequest(ctx: Context, spec: RouteSpec, deps: RouteDeps): Promise<FhirRequest> {
  const params = ctx.params as Record<string, string | undefined>;
  if (spec.interaction && params.type) {
    const cap = typeCapability(params.type);
    if (!cap) throw errors.notFound(`Unknown resource type '${params.type}'`);
    if (!cap.interactions.includes(spec.interaction)) throw errors.methodNotAllowed(`${spec.interaction} is not supported for ${params.type}`);
  }
  if (spec.body === 'resource') checkResourceContentType(header(ctx, 'Content-Type'));
  if (spec.body === 'patch') checkPatchContentType(header(ctx, 'Content-Type'));
  const body = spec.body === 'none' || spec.body === 'form' ? undefined : await readJsonBody(ctx.req, deps.maxBodyBytes);
  const query = queryPairs(ctx);
  if (spec.body === 'form') query.push(...(await readFormBody(ctx.req, deps.maxBodyBytes)));
  if (!params.id && spec.write && spec.method !== 'post' && query.filter(([n]) => !NOT_CRITERIA.has(n.split(':')[0]!)).length === 0) {
    throw errors.badRequest(`A ${spec.method.toUpperCase()} on a resource type needs search criteria (conditional ${spec.interaction})`);
  }
  const handling = parsePrefer(header(ctx, 'Prefer')).handling;
  if (spec.compartment) {
    return {
      resourceType: params.target === '*' ? undefined : params.target,
      compartment: { type: params.type!, id: params.id! },
      query,
      baseUrl: baseUrlOf(ctx, deps.baseUrl),
      ...(handling ? { handling } : {}),
    };
  }
  return {
    ...(handling ? { handling } : {}),
    resourceType: params.type,
    id: params.id,
    versionId: params.vid,
    query,
    body,
    baseUrl: baseUrlOf(ctx, deps.baseUrl),
    ifMatch: header(ctx, 'If-Match'),
    ifNoneMatch: header(ctx, 'If-None-Match'),
    ifModifiedSince: header(ctx, 'If-Modified-Since'),
    ifNoneExist: header(ctx, 'If-None-Exist'),
  };
}

/** Names the request's interaction and (known) resource type for logs and metrics. */
function labelRequest(ctx: Context, spec: RouteSpec): void {
  const type = (ctx.params as Record<string, string | undefined>).type;
  ctx.state.interaction = spec.interaction ?? spec.handler.name;
  if (type && typeCapability(type)) ctx.state.resourceType = type;
}

export function buildRouter(deps: RouteDeps): Router {
  const router = new Router({ prefix: '/fhir' });
  addOperationRoutes(router, deps);
  router.get('/metadata', (ctx) => {
    const query = queryPairs(ctx);
    const format = query.find(([n]) => n === '_format')?.[1];
    const mediaType = negotiateResponseType(format, header(ctx, 'Accept'));
    const req: FhirRequest = { query, baseUrl: baseUrlOf(ctx, deps.baseUrl) };
    sendResult(ctx, capabilities(req, deps.software), { mediaType, pretty: query.some(([n, v]) => n === '_pretty' && v === 'true'), prefer: {} }, false);
  });
  router.post('/', async (ctx) => {
    const query = queryPairs(ctx);
    const mediaType = negotiateResponseType(query.find(([n]) => n === '_format')?.[1], header(ctx, 'Accept'));
    checkResourceContentType(header(ctx, 'Content-Type'));
    const prefer = parsePrefer(header(ctx, 'Prefer'));
    const body = await readJsonBody(ctx.req, deps.maxBodyBytes);
    const bundle = await processBundle(deps.interactions, body, {
      baseUrl: baseUrlOf(ctx, deps.baseUrl),
      prefer: prefer.return ?? 'minimal',
      maxEntries: deps.maxBundleEntries,
      onUnexpected: (e) => deps.interactions.logger.error('unhandled error in batch entry', { error: (e as Error)?.stack ?? String(e) }),
    });
    sendResult(ctx, { status: 200, resource: bundle }, { mediaType, pretty: query.some(([n, v]) => n === '_pretty' && v === 'true'), prefer: {} }, false);
  });
  // metadata is read-only; other methods must not fall through to the type routes.
  router.all('/metadata', () => {
    throw new FhirError(405, { severity: 'error', code: 'not-supported', diagnostics: 'Only GET is allowed on metadata' }, { Allow: 'GET' });
  });
  for (const spec of ROUTES) {
    router[spec.method](spec.path, async (ctx) => {
      labelRequest(ctx, spec);
      const query = queryPairs(ctx);
      const format = query.find(([n]) => n === '_format')?.[1];
      const mediaType = negotiateResponseType(format, header(ctx, 'Accept'));
      const prefer = parsePrefer(header(ctx, 'Prefer'));
      const subsetting = spec.subsettable ? parseSubsetting(query) : undefined;
      const req = await buildRequest(ctx, spec, deps);
      const result = await spec.handler(deps.interactions, req);
      const transform = subsetting ? (r: Resource) => applySubsetting(r, subsetting) : undefined;
      sendResult(ctx, result, { mediaType, pretty: query.some(([n, v]) => n === '_pretty' && v === 'true'), prefer, transform }, spec.write);
    });
  }
  return router;
}

import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { errors } from '../core/errors';
import { isResourceType, resourceTypes } from '../fhir/resource-types';
import type { FhirRequest, FhirResult, InteractionContext } from '../interactions/types';
import { affectedTypes, searchParameterByUrl } from '../search/registry';
import type { ReindexJob } from '../storage/reindex-jobs';

/**
 * $reindex: POST [base]/$reindex and POST [base]/[type]/$reindex queue a reindex job (202, with
 * Content-Location naming its status); GET [base]/$reindex-status/[id] reports one job and
 * GET [base]/$reindex-status the most recent ones. The job runs in the background (src/reindex).
 */

const RECENT_JOBS = 20;

export function statusUrl(baseUrl: string, id: string): string {
  return `${baseUrl}/$reindex-status/${id}`;
}

function inputs(body: unknown, name: string): string[] {
  if (body === undefined) return [];
  const params = body as Parameters;
  if (!params || typeof params !== 'object' || params.resourceType !== 'Parameters') {
    throw errors.badRequest('The body of $reindex must be a Parameters resource (or empty)', ['Parameters']);
  }
  return (params.parameter ?? [])
    .filter((p) => p.name === name)
    .map((p) => {
      const value = p.valueUri ?? p.valueCanonical ?? p.valueString ?? p.valueCode ?? p.valueUrl;
      if (typeof value !== 'string' || value === '') throw errors.badRequest(`Parameter '${name}' of $reindex needs a value`, ['Parameters.parameter']);
      return value;
    });
}

/** The job as an output Parameters resource. */
export function jobParameters(job: ReindexJob, baseUrl: string): ParametersParameter[] {
  const p: ParametersParameter[] = [
    { name: 'id', valueString: job.id },
    { name: 'status', valueCode: job.status },
    { name: 'phase', valueCode: job.phase },
    { name: 'processed', valueInteger: job.processed },
  ];
  if (job.total !== undefined) p.push({ name: 'total', valueInteger: job.total });
  p.push({ name: 'incomplete', valueBoolean: job.incomplete });
  for (const url of job.urls) p.push({ name: 'url', valueUri: url });
  for (const code of job.codes) p.push({ name: 'code', valueCode: code });
  for (const type of job.types) p.push({ name: 'type', valueCode: type });
  p.push({ name: 'created', valueInstant: job.createdAt });
  if (job.startedAt) p.push({ name: 'started', valueInstant: job.startedAt });
  if (job.finishedAt) p.push({ name: 'finished', valueInstant: job.finishedAt });
  p.push({ name: 'attempts', valueInteger: job.attempts });
  if (job.error) p.push({ name: 'error', valueString: job.error });
  p.push({ name: 'statusUrl', valueUri: statusUrl(baseUrl, job.id) });
  return p;
}

/** POST [base]/$reindex, POST [base]/[type]/$reindex. */
export async function reindex(ctx: InteractionContext, req: FhirRequest): Promise<FhirResult> {
  if (req.resourceType !== undefined && !isResourceType(req.resourceType)) throw errors.notFound(`Unknown resource type '${req.resourceType}'`);
  const urls = [...new Set(inputs(req.body, 'url'))];
  const named = inputs(req.body, 'type');
  if (req.resourceType !== undefined && named.length > 0) throw errors.badRequest(`Parameter 'type' is for [base]/$reindex; this call reindexes ${req.resourceType}`);
  for (const t of named) if (!isResourceType(t)) throw errors.badRequest(`Unknown resource type '${t}'`);

  const parameters = urls.map((url) => {
    const sp = searchParameterByUrl(url);
    if (!sp) throw errors.badRequest(`No SearchParameter with url '${url}' is searchable here`);
    return sp;
  });
  let types: string[];
  if (req.resourceType !== undefined) types = [req.resourceType];
  else if (named.length > 0) types = named;
  else if (parameters.length > 0) types = parameters.flatMap(affectedTypes);
  else types = [...resourceTypes()];
  types = [...new Set(types)].sort();
  for (const sp of parameters) {
    if (!types.some((t) => affectedTypes(sp).includes(t))) throw errors.badRequest(`SearchParameter '${sp.url}' does not apply to ${types.join(', ')}`);
  }

  const job = await ctx.repo.jobs.enqueue({ types, urls, codes: [...new Set(parameters.map((sp) => sp.code!))].sort() });
  ctx.reindex?.queued(job);
  return { status: 202, resource: { resourceType: 'Parameters', parameter: jobParameters(job, req.baseUrl) }, location: statusUrl(req.baseUrl, job.id) };
}

/** GET [base]/$reindex-status/[id]: one job; GET [base]/$reindex-status: the most recent jobs. */
export async function reindexStatus(ctx: InteractionContext, req: FhirRequest): Promise<FhirResult> {
  if (req.id === undefined) {
    const jobs = await ctx.repo.jobs.recent(RECENT_JOBS);
    const parameter = jobs.map((job): ParametersParameter => ({ name: 'job', part: jobParameters(job, req.baseUrl) }));
    return { status: 200, resource: { resourceType: 'Parameters', ...(parameter.length > 0 ? { parameter } : {}) } };
  }
  const job = await ctx.repo.jobs.get(req.id);
  if (!job) throw errors.notFound(`No reindex job '${req.id}'`);
  return { status: 200, resource: { resourceType: 'Parameters', parameter: jobParameters(job, req.baseUrl) } };
}

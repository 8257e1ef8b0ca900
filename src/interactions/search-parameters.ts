import type { Resource, SearchParameter } from '@medplum/fhirtypes';
import {
  affectedTypes,
  registerSearchParameter,
  unregisterSearchParameter,
  validateSearchParameter,
} from '../search/registry';
import { errors } from '../core/errors';
import { sql } from '../storage/sql';
import type { InteractionContext } from './types';

/**
 * Writes of SearchParameter resources (by any interaction or Bundle entry, through storeVersion):
 * before the write the new version is checked (422, nothing stored, when the registry could not
 * use it); after it, a reindex job for the affected types is queued in the same transaction, and
 * once that commits the in-memory registry is updated, so new writes are indexed with it at once.
 * A SearchParameter with status `retired` is stored but not searchable.
 */

export interface SearchParameterChange {
  /** The version replaced, when it was searchable. */
  previous?: SearchParameter;
  /** The version written, when it is searchable (undefined for a deletion or a retired one). */
  next?: SearchParameter;
}

/** Whether a stored SearchParameter is registered for search. */
export function isSearchable(sp: SearchParameter): boolean {
  return sp.status !== 'retired';
}

/** Before storing SearchParameter/id (content null: a deletion): reads the version it replaces and checks the new one. */
export async function prepareSearchParameterWrite(ctx: InteractionContext, id: string, content: Resource | null): Promise<SearchParameterChange> {
  const current = await ctx.repo.readCurrent('SearchParameter', id, { forUpdate: true });
  const before = current && !current.deleted ? (current.content as SearchParameter) : undefined;
  const previous = before && isSearchable(before) ? before : undefined;
  const written = content as SearchParameter | null;
  const next = written && isSearchable(written) ? written : undefined;
  if (next) {
    validateSearchParameter(next, previous?.url);
    const [other] = await ctx.repo.find('SearchParameter', sql`r.content->>'url' = ${next.url!} AND r.id <> ${id} AND r.content->>'status' <> 'retired'`, 1);
    if (other) throw errors.unprocessable(`Invalid SearchParameter: SearchParameter/${other.id} already has url '${next.url}'`, ['SearchParameter.url']);
  }
  return { ...(previous ? { previous } : {}), ...(next ? { next } : {}) };
}

const INDEXING_FIELDS = ['url', 'code', 'base', 'type', 'expression', 'component', 'xpathUsage', 'target'] as const;

export function sameIndexing(a: SearchParameter | undefined, b: SearchParameter | undefined): boolean {
  if (!a || !b) return a === b;
  return INDEXING_FIELDS.every((f) => JSON.stringify(a[f]) === JSON.stringify(b[f]));
}

const distinct = (values: (string | undefined)[]): string[] => [...new Set(values.filter((v): v is string => Boolean(v)))].sort();

/** After storing it: queues the reindex job and, on commit, updates the registry. */
export async function finishSearchParameterWrite(ctx: InteractionContext, change: SearchParameterChange): Promise<void> {
  const { previous, next } = change;
  if (sameIndexing(previous, next)) {
    if (next) ctx.repo.afterCommit(() => applyToRegistry(ctx, change));
    return;
  }
  const types = distinct([...(previous ? affectedTypes(previous) : []), ...(next ? affectedTypes(next) : [])]);
  const job = await ctx.repo.jobs.enqueue({ types, urls: distinct([previous?.url, next?.url]), codes: distinct([previous?.code, next?.code]), incomplete: true });
  ctx.repo.afterCommit(() => {
    applyToRegistry(ctx, change);
    ctx.reindex?.queued(job);
  });
}

function applyToRegistry(ctx: InteractionContext, { previous, next }: SearchParameterChange): void {
  if (previous?.url && previous.url !== next?.url) unregisterSearchParameter(previous.url);
  if (!next) return;
  try {
    registerSearchParameter(next);
  } catch (e) {
    // Checked before the write; only a concurrent change of the registry can make it fail now.
    ctx.logger.warn('SearchParameter not registered', { url: next.url, error: (e as Error).message });
  }
}

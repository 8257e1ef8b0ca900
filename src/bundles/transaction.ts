import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { errors, FhirError } from '../core/errors';
import { newId } from '../core/ids';
import { parseCriteria } from '../search/conditional';
import { conditionalLockKey, findAtMostOne, findMatches } from '../interactions/matches';
import { versionResult } from '../interactions/common';
import type { FhirResult, InteractionContext } from '../interactions/types';
import { DeferredChecks, runDeferred } from '../interactions/integrity';
import { entryIssues, executeEntry, parseEntry, responseEntry, type ParsedEntry, type ReturnPreference } from './entry';
import { resolveConditionalReferences } from './conditional-references';
import { parseConditionalReference, rewriteReferences, forEachReference } from './references';

/** Processing order of http.html#trules: DELETE, POST, PUT/PATCH, then GET/HEAD. */
const ORDER: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

interface Plan {
  /** Id a POST creates with, chosen before any write so references can point at it. */
  assignedId?: string;
  /** A conditional create that matched: the entry answers with this result and writes nothing. */
  existing?: FhirResult;
  /** Conditional create repeated in the bundle: answered like the first entry with the same criteria. */
  sameAs?: number;
}

/** Decides every create's id (and resolves conditional creates and updates) before anything is written. */
async function plan(ctx: InteractionContext, entries: ParsedEntry[], baseUrl: string, idMap: Map<string, string>): Promise<Map<number, Plan>> {
  const plans = new Map<number, Plan>();
  const seenCriteria = new Map<string, number>();
  const seenTargets = new Set<string>();
  const seenFullUrls = new Set<string>();
  const keys = new Set<string>();
  for (const e of entries) {
    if (e.fullUrl) {
      if (seenFullUrls.has(e.fullUrl)) throw errors.badRequest(`fullUrl '${e.fullUrl}' appears in more than one entry`, [`Bundle.entry[${e.index}].fullUrl`]);
      seenFullUrls.add(e.fullUrl);
    }
    // Conditional references take the same locks as conditional writes of those criteria.
    forEachReference(e.resource, '', (r) => {
      const cond = parseConditionalReference(r.value);
      if (cond) keys.add(conditionalLockKey(cond.resourceType, cond.query));
    });
    const type = e.target.resourceType;
    if (!type) continue;
    if (e.method === 'POST' && e.request.ifNoneExist) keys.add(conditionalLockKey(type, parseCriteria(e.request.ifNoneExist)));
    else if (e.target.id === undefined && e.target.query.length > 0 && e.method !== 'GET' && e.method !== 'HEAD') keys.add(conditionalLockKey(type, e.target.query));
  }
  // All locks up front, in one order, so concurrent transactions cannot deadlock on them.
  for (const key of [...keys].sort()) await ctx.repo.lock(key);
  const deleted = new Set<string>();
  for (const e of entries) {
    const type = e.target.resourceType;
    if (e.method !== 'DELETE' || !type || e.target.id !== undefined || e.target.query.length === 0) continue;
    const match = await findAtMostOne(ctx, type, e.target.query, baseUrl);
    if (match) {
      e.target = { ...e.target, id: match.id, query: [] };
      deleted.add(`${type}/${match.id}`);
    }
  }
  for (const e of entries) if (e.method === 'DELETE' && e.target.resourceType && e.target.id) deleted.add(`${e.target.resourceType}/${e.target.id}`);
  for (const e of entries) {
    const type = e.target.resourceType;
    if (e.method === 'POST' && type) {
      let p: Plan;
      const criteria = e.request.ifNoneExist;
      const key = criteria ? `${type}?${parseCriteria(criteria).map(([n, v]) => `${n}=${v}`).sort().join('&')}` : undefined;
      if (key && seenCriteria.has(key)) {
        p = { sameAs: seenCriteria.get(key)! };
        const first = plans.get(p.sameAs!)!;
        if (e.fullUrl) idMap.set(e.fullUrl, `${type}/${first.assignedId ?? first.existing?.resource?.id}`);
      } else {
        const matches = (criteria ? await findMatches(ctx, type, parseCriteria(criteria), baseUrl) : []).filter((m) => !deleted.has(`${type}/${m.id}`));
        if (matches.length > 1) throw errors.multipleMatches(`ifNoneExist matched more than one ${type}`);
        p = matches[0] ? { existing: versionResult(200, matches[0], baseUrl, true) } : { assignedId: newId() };
        if (key) seenCriteria.set(key, e.index);
        if (e.fullUrl) idMap.set(e.fullUrl, `${type}/${p.assignedId ?? matches[0]!.id}`);
      }
      plans.set(e.index, p);
    } else if (e.method === 'PUT' && type) {
      let id = e.target.id;
      if (id === undefined) {
        const match = await findAtMostOne(ctx, type, e.target.query, baseUrl);
        if (match && e.resource?.id !== undefined && e.resource.id !== match.id) {
          throw errors.badRequest(`The resource id '${e.resource.id}' does not match the resource found (${type}/${match.id})`, [`Bundle.entry[${e.index}].resource.id`]);
        }
        id = match?.id ?? e.resource?.id ?? newId();
        e.target = { ...e.target, id, query: [] };
        e.resource = { ...(e.resource as Resource), id };
      }
      if (e.fullUrl) idMap.set(e.fullUrl, `${type}/${id}`);
    }
    if ((e.method === 'PUT' || e.method === 'DELETE' || e.method === 'PATCH') && type && e.target.id) {
      const t = `${type}/${e.target.id}`;
      if (seenTargets.has(t)) throw errors.badRequest(`${t} is the target of more than one entry`, [`Bundle.entry[${e.index}].request.url`]);
      seenTargets.add(t);
    }
  }
  return plans;
}

function lockOrder(e: ParsedEntry): string {
  return e.method === 'POST' || e.method === 'GET' || e.method === 'HEAD' ? '' : `${e.target.resourceType}/${e.target.id ?? ''}`;
}

/**
 * transaction: every entry in one database transaction, all or nothing. A failing entry fails the
 * whole Bundle with an OperationOutcome naming it.
 */
export async function processTransaction(ctx: InteractionContext, bundle: Bundle, baseUrl: string, prefer: ReturnPreference): Promise<Bundle> {
  return ctx.repo.transaction(async (repo) => {
    const deferred = new DeferredChecks();
    const tx: InteractionContext = { ...ctx, repo, deferred };
    const entries = (bundle.entry ?? []).map((entry, i) => parseEntry(entry, i, baseUrl));
    const idMap = new Map<string, string>();
    const plans = await plan(tx, entries, baseUrl, idMap);
    for (const e of entries) {
      if (e.resource) await resolveConditionalReferences(tx, e.resource, `Bundle.entry[${e.index}].resource`, idMap);
    }
    // Lock every resource the entries update, patch or delete in one round trip, so their writes batch.
    await repo.prepareWrites(
      entries.filter((e) => e.method !== 'POST' && e.method !== 'GET' && e.method !== 'HEAD' && e.target.resourceType && e.target.id).map((e) => ({ type: e.target.resourceType!, id: e.target.id! })),
    );
    for (const e of entries) {
      const base = /^(https?:\/\/.+)\/[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.exec(e.fullUrl ?? '')?.[1];
      if (e.resource && e.method !== 'PATCH') e.resource = rewriteReferences(e.resource, idMap, `Bundle.entry[${e.index}].resource`, base);
    }
    const results: FhirResult[] = new Array(entries.length);
    // Within one method class, writes to existing resources go in (type, id) order, so concurrent
    // transactions touching the same resources take their row locks in one order and never deadlock.
    const ordered = [...entries].sort((a, b) => ORDER[a.method]! - ORDER[b.method]! || lockOrder(a).localeCompare(lockOrder(b)) || a.index - b.index);
    for (const e of ordered) {
      const p = plans.get(e.index) ?? {};
      deferred.entry = e.index;
      try {
        if (p.sameAs !== undefined) results[e.index] = { ...results[p.sameAs]!, status: 200 };
        else if (p.existing) results[e.index] = p.existing;
        else results[e.index] = await executeEntry(tx, { ...e, request: { ...e.request, ifNoneExist: undefined } }, baseUrl, p.assignedId);
      } catch (err) {
        if (err instanceof FhirError) throw new FhirError(err.status, entryIssues(err, e.index), err.headers);
        throw err;
      }
    }
    await runDeferred(tx, deferred);
    const response: BundleEntry[] = entries.map((e) => responseEntry(results[e.index]!, e.method, prefer));
    return { resourceType: 'Bundle', type: 'transaction-response', entry: response } as Bundle;
  });
}


import { errors, FhirError, type Issue } from '../core/errors';
import type { LocalReference } from '../fhir/references';
import type { InteractionContext } from './types';

/**
 * Referential integrity: a literal reference to a local resource must name one that exists, and
 * a resource still referenced may not be deleted. Inside a transaction the checks wait until
 * every entry is written, so entries may refer to each other in any order, and deleting a
 * resource together with everything that refers to it is allowed.
 */

export interface IntegrityPolicy {
  /** Refuse writes whose local references name no current resource (422). */
  checkReferences: boolean;
  /** Refuse deleting a resource that current resources still refer to (409). */
  refuseReferencedDeletes: boolean;
}

interface PendingWrite {
  source: string;
  references: LocalReference[];
  entry?: number;
}

interface PendingDelete {
  type: string;
  id: string;
  entry?: number;
}

/** Checks collected while a transaction runs; `entry` tags what is recorded with the entry being processed. */
export class DeferredChecks {
  entry: number | undefined;
  readonly writes: PendingWrite[] = [];
  readonly deletes: PendingDelete[] = [];
}

function prefix(entry: number | undefined): string {
  return entry === undefined ? '' : `Bundle.entry[${entry}]: `;
}

function entryPath(path: string, entry: number | undefined): string {
  return entry === undefined ? path : `Bundle.entry[${entry}].resource${path.slice(path.indexOf('.'))}`;
}

async function checkWrites(ctx: InteractionContext, writes: PendingWrite[]): Promise<void> {
  const targets = new Map<string, { type: string; id: string }>();
  for (const w of writes) for (const r of w.references) if (`${r.type}/${r.id}` !== w.source) targets.set(`${r.type}/${r.id}`, r);
  const missing = new Set((await ctx.repo.missingTargets([...targets.values()])).map((t) => `${t.type}/${t.id}`));
  for (const w of writes) {
    for (const r of w.references) {
      const key = `${r.type}/${r.id}`;
      if (r.versionId === undefined || missing.has(key) || key === w.source) continue;
      const v = /^\d+$/.test(r.versionId) ? await ctx.repo.readVersion(r.type, r.id, Number(r.versionId)) : undefined;
      if (!v || v.deleted) missing.add(`${key}/_history/${r.versionId}`);
    }
  }
  if (missing.size === 0) return;
  const issues: Issue[] = [];
  for (const w of writes) {
    for (const r of w.references) {
      const versioned = r.versionId === undefined ? undefined : `${r.type}/${r.id}/_history/${r.versionId}`;
      if (!missing.has(`${r.type}/${r.id}`) && !(versioned && missing.has(versioned))) continue;
      issues.push({
        severity: 'error',
        code: 'processing',
        diagnostics: `${prefix(w.entry)}Reference to ${r.type}/${r.id} names no existing resource`,
        expression: [entryPath(r.path, w.entry)],
      });
    }
  }
  throw new FhirError(422, issues);
}

async function checkDeletes(ctx: InteractionContext, deletes: PendingDelete[]): Promise<void> {
  for (const d of deletes) {
    const refs = await ctx.repo.referrers(d.type, d.id, 5);
    if (refs.length > 0) {
      throw errors.conflict(
        `${prefix(d.entry)}${d.type}/${d.id} is still referenced by ${refs.map((r) => `${r.type}/${r.id}`).join(', ')}${refs.length === 5 ? ' and maybe others' : ''}; delete or update those first`,
      );
    }
  }
}

/** Checks a written resource's references now, or records them for the end of the transaction. */
export async function afterWrite(ctx: InteractionContext, source: string, references: LocalReference[]): Promise<void> {
  if (!ctx.integrity?.checkReferences || references.length === 0) return;
  const w = { source, references, entry: ctx.deferred?.entry };
  if (ctx.deferred) ctx.deferred.writes.push(w);
  else await checkWrites(ctx, [w]);
}

/** Checks that a deleted resource is no longer referenced, now or at the end of the transaction. */
export async function afterDelete(ctx: InteractionContext, type: string, id: string): Promise<void> {
  if (!ctx.integrity?.refuseReferencedDeletes) return;
  const d = { type, id, entry: ctx.deferred?.entry };
  if (ctx.deferred) ctx.deferred.deletes.push(d);
  else await checkDeletes(ctx, [d]);
}

/** Runs the checks a transaction deferred. */
export async function runDeferred(ctx: InteractionContext, deferred: DeferredChecks): Promise<void> {
  await checkWrites(ctx, deferred.writes);
  await checkDeletes(ctx, deferred.deletes);
}

import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { errorToOutcome } from '../core/outcome';
import type { InteractionContext } from '../interactions/types';
import { executeEntry, parseEntry, responseEntry, statusLine, type ReturnPreference } from './entry';
import { resolveConditionalReferences } from './conditional-references';
import { rewriteReferences } from './references';

/** Resolves an entry's conditional references; a batch entry may not refer to other entries. */
async function resolveReferences(ctx: InteractionContext, entry: BundleEntry, index: number): Promise<BundleEntry> {
  if (!entry || typeof entry !== 'object' || !entry.resource) return entry;
  const map = new Map<string, string>();
  await resolveConditionalReferences(ctx, entry.resource, `Bundle.entry[${index}].resource`, map);
  return { ...entry, resource: rewriteReferences(entry.resource, map, `Bundle.entry[${index}].resource`) };
}

/** batch: each entry on its own, in its own transaction, with its own status and outcome. */
export async function processBatch(ctx: InteractionContext, bundle: Bundle, baseUrl: string, prefer: ReturnPreference, onUnexpected: (e: unknown) => void): Promise<Bundle> {
  const out: BundleEntry[] = [];
  for (const [i, raw] of (bundle.entry ?? []).entries()) {
    try {
      const result = await ctx.repo.transaction(async (repo) => {
        const tx = { ...ctx, repo };
        const entry = parseEntry(await resolveReferences(tx, raw, i), i, baseUrl);
        return { result: await executeEntry(tx, entry, baseUrl), method: entry.method };
      });
      out.push(responseEntry(result.result, result.method, prefer));
    } catch (err) {
      const mapped = errorToOutcome(err);
      if (mapped.unexpected) onUnexpected(err);
      out.push({ response: { status: statusLine(mapped.status), outcome: mapped.outcome } });
    }
  }
  return { resourceType: 'Bundle', type: 'batch-response', entry: out } as Bundle;
}

import { FhirError, type Issue } from '../core/errors';
import { usedParameters } from '../search/query/used-parameters';
import type { IncompleteParameter, InteractionContext } from './types';

/**
 * Searches on parameters whose index rows are still being rebuilt (a reindex job after a
 * SearchParameter change has not finished): they must not pass for complete results.
 */

function describe(code: string, resourceType: string, p: IncompleteParameter): string {
  if (p.failed) {
    return `Search parameter '${code}' of ${resourceType} could not be fully re-indexed (reindex job ${p.jobId} failed; POST $reindex to retry); results may be incomplete`;
  }
  const progress = p.total === undefined ? 'queued' : `${p.processed} of ${p.total}`;
  return `Search parameter '${code}' of ${resourceType} is being re-indexed (${progress}); results may be incomplete`;
}

/** A warning for each incomplete parameter the search uses. */
export function incompleteIssues(ctx: InteractionContext, request: Parameters<typeof usedParameters>[0]): Issue[] {
  const monitor = ctx.reindex;
  if (!monitor) return [];
  const issues: Issue[] = [];
  for (const { resourceType, code } of usedParameters(request)) {
    const incomplete = monitor.incomplete(resourceType, code);
    if (incomplete) issues.push({ severity: 'warning', code: 'incomplete', diagnostics: describe(code, resourceType, incomplete) });
  }
  return issues;
}

/** The 400 answer to incomplete parameters under strict handling (and in conditional criteria). */
export function incompleteError(issues: Issue[]): FhirError {
  return new FhirError(400, issues.map((i) => ({ ...i, severity: 'error' as const })));
}

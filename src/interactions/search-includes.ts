import type { Issue } from '../core/errors';
import { includeStatement, revincludeStatement, type ResourceKey } from '../search/query/include';
import type { IncludeSpec } from '../search/query/types';
import type { Repository, StoredVersion } from '../storage/repository';

/**
 * Resolves _include / _revinclude for one page (search.html#include): first over the matches,
 * then `:iterate` ones over what was included too, for a bounded number of rounds. Every
 * resource appears once (matches are never repeated as includes); past `limit` included
 * resources the rest is left out and a warning says so.
 */

export const MAX_ITERATIONS = 4;

export interface IncludeResult {
  included: StoredVersion[];
  issues: Issue[];
}

const keyOf = (v: { resourceType: string; id: string }): string => `${v.resourceType}/${v.id}`;

export async function resolveIncludes(
  repo: Repository,
  matches: StoredVersion[],
  include: IncludeSpec[],
  revinclude: IncludeSpec[],
  limit: number,
  baseUrl: string,
): Promise<IncludeResult> {
  const seen = new Set(matches.map(keyOf));
  const included: StoredVersion[] = [];
  const issues: Issue[] = [];
  let truncated = false;

  const run = async (specs: IncludeSpec[], from: StoredVersion[], reverse: boolean): Promise<StoredVersion[]> => {
    const added: StoredVersion[] = [];
    const keys: ResourceKey[] = from.map((v) => ({ type: v.resourceType, id: v.id }));
    for (const spec of specs) {
      if (keys.length === 0 || truncated) break;
      const statement = reverse ? revincludeStatement(spec, keys, limit + 1, baseUrl) : includeStatement(spec, keys, limit + 1, baseUrl);
      if (!statement) continue;
      for (const row of await repo.search(statement)) {
        if (seen.has(keyOf(row))) continue;
        if (included.length >= limit) {
          truncated = true;
          break;
        }
        seen.add(keyOf(row));
        included.push(row);
        added.push(row);
      }
    }
    return added;
  };

  const first = [...(await run(include, matches, false)), ...(await run(revinclude, matches, true))];
  const iterInclude = include.filter((s) => s.iterate);
  const iterRevinclude = revinclude.filter((s) => s.iterate);
  let frontier = first;
  for (let round = 0; round < MAX_ITERATIONS && frontier.length > 0 && (iterInclude.length > 0 || iterRevinclude.length > 0); round++) {
    frontier = [...(await run(iterInclude, frontier, false)), ...(await run(iterRevinclude, frontier, true))];
  }
  if (frontier.length > 0 && (iterInclude.length > 0 || iterRevinclude.length > 0)) {
    issues.push({ severity: 'warning', code: 'incomplete', diagnostics: `_include:iterate and _revinclude:iterate stop after ${MAX_ITERATIONS + 1} rounds; resources further away may be missing` });
  }
  if (truncated) {
    issues.push({ severity: 'warning', code: 'too-costly', diagnostics: `Only the first ${limit} included resources are returned` });
  }
  return { included, issues };
}

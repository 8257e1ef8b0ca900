import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import type { Issue } from '../core/errors';
import { issuesToOutcome } from '../core/outcome';
import { CURSOR_PARAMETER } from '../search/query/parse';
import type { StoredVersion } from '../storage/repository';
import { applySubsetting, type Subsetting } from './subsetting';

/** Assembles a searchset Bundle (search.html#bundle): links, total, match / include / outcome entries. */

export interface SearchsetParts {
  baseUrl: string;
  /** Path of the search below the base, e.g. `/Observation`, `` (system), `/Patient/1/Observation`. */
  path: string;
  /** Applied query pairs (for the links), without the cursor. */
  applied: [string, string][];
  matches: StoredVersion[];
  included: StoredVersion[];
  total?: number;
  self?: string;
  next?: string;
  previous?: string;
  /** Issues to report in an OperationOutcome entry (ignored parameters, truncated includes). */
  issues: Issue[];
  subsetting: Subsetting;
}

function link(parts: SearchsetParts, relation: string, cursor?: string): BundleLink {
  const pairs = cursor === undefined ? parts.applied : [...parts.applied, [CURSOR_PARAMETER, cursor] as [string, string]];
  const qs = new URLSearchParams(pairs).toString();
  return { relation, url: `${parts.baseUrl}${parts.path}${qs ? `?${qs}` : ''}` };
}

function entry(v: StoredVersion, parts: SearchsetParts, mode: 'match' | 'include'): BundleEntry {
  const resource = applySubsetting(v.content as Resource, parts.subsetting);
  return { fullUrl: `${parts.baseUrl}/${v.resourceType}/${v.id}`, resource, search: { mode } };
}

export function searchset(parts: SearchsetParts): Bundle {
  const links: BundleLink[] = [link(parts, 'self', parts.self), link(parts, 'first')];
  if (parts.previous !== undefined) links.push(link(parts, 'previous', parts.previous));
  if (parts.next !== undefined) links.push(link(parts, 'next', parts.next));
  const entries: BundleEntry[] = [
    ...parts.matches.map((v) => entry(v, parts, 'match')),
    ...parts.included.map((v) => entry(v, parts, 'include')),
  ];
  if (parts.issues.length > 0) entries.push({ resource: issuesToOutcome(parts.issues), search: { mode: 'outcome' } });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(parts.total !== undefined ? { total: parts.total } : {}),
    link: links,
    ...(entries.length > 0 ? { entry: entries } : {}),
  };
}

import type { CodeSystem, Resource, ValueSet } from '@medplum/fhirtypes';
import { r4Terminology } from '../fhir/definitions';
import { conditionalWhere } from '../search/conditional';
import type { Repository } from '../storage/repository';
import { CodeSystemIndex } from './code-system';

/**
 * Where CodeSystems and ValueSets come from: the R4 definitions (loaded on first use, indexed
 * once per process) and the resources stored in the database (found through the `url` search
 * index, so uploaded ones count from their write on).
 */

export interface Canonical {
  url: string;
  version?: string;
}

/** `url|version` split into its parts (an empty version is none). */
export function parseCanonical(canonical: string): Canonical {
  const bar = canonical.lastIndexOf('|');
  if (bar < 0 || bar === canonical.length - 1) return { url: bar < 0 ? canonical : canonical.slice(0, bar) };
  return { url: canonical.slice(0, bar), version: canonical.slice(bar + 1) };
}

interface R4Index {
  valueSets: Map<string, ValueSet>;
  codeSystems: Map<string, CodeSystem>;
  indexed: Map<string, CodeSystemIndex>;
}

let r4: R4Index | undefined;

function r4Index(): R4Index {
  if (!r4) {
    r4 = { valueSets: new Map(), codeSystems: new Map(), indexed: new Map() };
    for (const res of r4Terminology()) {
      if (!res.url) continue;
      if (res.resourceType === 'ValueSet') r4.valueSets.set(res.url, res);
      else r4.codeSystems.set(res.url, res);
    }
  }
  return r4;
}

/** The R4 ValueSet with this URL (and version, when given). */
export function r4ValueSet(c: Canonical): ValueSet | undefined {
  const vs = r4Index().valueSets.get(c.url);
  return vs && (c.version === undefined || vs.version === c.version) ? vs : undefined;
}

/** The R4 CodeSystem with this URL, indexed (once per process). */
export function r4CodeSystem(c: Canonical): CodeSystemIndex | undefined {
  const idx = r4Index();
  const cs = idx.codeSystems.get(c.url);
  if (!cs || (c.version !== undefined && cs.version !== c.version)) return undefined;
  let indexed = idx.indexed.get(c.url);
  if (!indexed) idx.indexed.set(c.url, (indexed = new CodeSystemIndex(cs)));
  return indexed;
}

const escapeValue = (v: string): string => v.replace(/[\\,$|]/g, (ch) => `\\${ch}`);

/** Most stored versions of one canonical URL looked at. */
const MAX_VERSIONS = 50;

/**
 * The stored CodeSystem or ValueSet with this URL (and version, when given); of several, the one
 * written last. CodeSystem supplements are skipped: they add to another system, not define one.
 */
export async function storedCanonical<T extends ValueSet | CodeSystem>(repo: Repository, type: T['resourceType'], c: Canonical): Promise<T | undefined> {
  const query: [string, string][] = [['url', escapeValue(c.url)]];
  if (c.version !== undefined) query.push(['version', escapeValue(c.version)]);
  const found = await repo.find(type, conditionalWhere(query, type), MAX_VERSIONS);
  let best: { content: Resource; lastUpdated: string } | undefined;
  for (const v of found) {
    const content = v.content as T | null;
    if (!content || content.url !== c.url || (c.version !== undefined && content.version !== c.version)) continue;
    if (content.resourceType === 'CodeSystem' && content.content === 'supplement') continue;
    if (!best || v.lastUpdated > best.lastUpdated) best = { content, lastUpdated: v.lastUpdated };
  }
  return best?.content as T | undefined;
}

import type { CodeSystem, CodeSystemConcept, ValueSet } from '@medplum/fhirtypes';
import { r4Terminology } from './definitions';

/**
 * Codes of the R4 ValueSets that can be enumerated from the R4 terminology alone: every include
 * lists its concepts or names a CodeSystem whose content is complete, with no filters.
 * ValueSets drawing on external systems (MIME types, languages, UCUM) are not enumerable.
 */

interface Index {
  valueSets: Map<string, ValueSet>;
  codeSystems: Map<string, CodeSystem>;
  cache: Map<string, readonly string[] | null>;
}

let index: Index | undefined;

function getIndex(): Index {
  if (!index) {
    const valueSets = new Map<string, ValueSet>();
    const codeSystems = new Map<string, CodeSystem>();
    for (const r of r4Terminology()) {
      if (!r.url) continue;
      if (r.resourceType === 'ValueSet') valueSets.set(r.url, r);
      else codeSystems.set(r.url, r);
    }
    index = { valueSets, codeSystems, cache: new Map() };
  }
  return index;
}

function allCodes(concepts: CodeSystemConcept[] | undefined, out: Set<string>): void {
  for (const c of concepts ?? []) {
    if (c.code) out.add(c.code);
    allCodes(c.concept, out);
  }
}

function expand(url: string, idx: Index, seen: Set<string>): Set<string> | null {
  const vs = idx.valueSets.get(url);
  if (!vs || seen.has(url)) return null;
  seen.add(url);
  const compose = vs.compose;
  if (!compose || compose.exclude?.length) return null;
  const out = new Set<string>();
  for (const inc of compose.include ?? []) {
    if (inc.filter?.length) return null;
    if (inc.valueSet?.length) {
      if (inc.system || inc.concept) return null;
      for (const ref of inc.valueSet) {
        const sub = expand(stripVersion(ref), idx, seen);
        if (!sub) return null;
        for (const c of sub) out.add(c);
      }
      continue;
    }
    if (inc.concept?.length) {
      for (const c of inc.concept) out.add(c.code as string);
      continue;
    }
    const cs = inc.system ? idx.codeSystems.get(inc.system) : undefined;
    if (!cs || cs.content !== 'complete') return null;
    allCodes(cs.concept, out);
  }
  return out.size > 0 ? out : null;
}

function stripVersion(url: string): string {
  const bar = url.indexOf('|');
  return bar < 0 ? url : url.slice(0, bar);
}

/**
 * The codes of a ValueSet (canonical URL, with or without `|version`), or undefined when the
 * ValueSet is unknown or not enumerable from the R4 terminology.
 */
export function enumerableValueSetCodes(url: string): readonly string[] | undefined {
  const idx = getIndex();
  const key = stripVersion(url);
  let codes = idx.cache.get(key);
  if (codes === undefined) {
    const set = expand(key, idx, new Set());
    codes = set ? [...set] : null;
    idx.cache.set(key, codes);
  }
  return codes ?? undefined;
}

import type { ValueSet, ValueSetComposeInclude, ValueSetExpansionContains } from '@medplum/fhirtypes';
import type { CodeSystemIndex } from './code-system';
import { ConceptSet } from './concepts';
import { TerminologyError } from './errors';
import { filterCodes } from './filters';

/**
 * ValueSet expansion (valueset.html#compose) over the CodeSystems and ValueSets a source provides.
 * An include is the intersection of its parts: the system part (listed concepts, the concepts
 * its filters select, or the whole CodeSystem) and each imported ValueSet; the expansion is the
 * union of the includes minus the union of the excludes. A ValueSet without compose is read from
 * its stored expansion when that lists every concept. Whatever cannot be enumerated exactly
 * (unknown or partial code systems, unsupported filters) fails the whole expansion rather than
 * yield a smaller or larger set.
 */

/** Most concepts in one expansion. */
export const MAX_EXPANSION = 250_000;

export interface TerminologySource {
  /** The ValueSet with this canonical URL (`url` or `url|version`). */
  valueSet(canonical: string): Promise<ValueSet | undefined>;
  /** The indexed CodeSystem with this URL. */
  codeSystem(url: string): Promise<CodeSystemIndex | undefined>;
}

function checkSize(set: ConceptSet, url: string): ConceptSet {
  if (set.size > MAX_EXPANSION) throw new TerminologyError('too-large', `ValueSet ${url} has more than ${MAX_EXPANSION} concepts`);
  return set;
}

async function completeSystem(source: TerminologySource, system: string, url: string): Promise<CodeSystemIndex> {
  const cs = await source.codeSystem(system);
  if (!cs) throw new TerminologyError('not-expandable', `ValueSet ${url} draws on code system ${system}, which this server does not hold`);
  if (!cs.complete) throw new TerminologyError('not-expandable', `ValueSet ${url} draws on code system ${system}, whose content here is '${cs.content}', not complete`);
  return cs;
}

async function systemPart(inc: ValueSetComposeInclude, source: TerminologySource, url: string): Promise<ConceptSet> {
  const system = inc.system!;
  if (inc.concept?.length) {
    if (inc.filter?.length) throw new TerminologyError('not-expandable', `ValueSet ${url} combines concepts and filters in one include`);
    return ConceptSet.of(system, inc.concept.map((c) => c.code).filter((c): c is string => !!c));
  }
  const cs = await completeSystem(source, system, url);
  let codes: Set<string> | undefined;
  for (const f of inc.filter ?? []) {
    const selected = filterCodes(cs, f);
    codes = codes ? new Set([...codes].filter((c) => selected.has(c))) : selected;
  }
  return ConceptSet.of(system, codes ?? cs.codes());
}

async function includeSet(inc: ValueSetComposeInclude, source: TerminologySource, url: string, trail: string[]): Promise<ConceptSet> {
  const parts: ConceptSet[] = [];
  if (inc.system) parts.push(await systemPart(inc, source, url));
  for (const ref of inc.valueSet ?? []) parts.push(await expandCanonical(ref, source, trail));
  if (parts.length === 0) throw new TerminologyError('not-expandable', `ValueSet ${url} has an include with neither system nor valueSet`);
  return parts.reduce((acc, p) => acc.intersect(p));
}

function fromExpansion(vs: ValueSet, url: string): ConceptSet {
  const exp = vs.expansion!;
  const set = new ConceptSet();
  const walk = (list: ValueSetExpansionContains[] | undefined): void => {
    for (const c of list ?? []) {
      if (c.system && c.code && !c.abstract) set.add(c.system, c.code);
      walk(c.contains);
    }
  };
  walk(exp.contains);
  const listed = set.size;
  if ((exp.offset ?? 0) > 0 || (exp.total !== undefined && exp.total > listed)) {
    throw new TerminologyError('not-expandable', `The stored expansion of ValueSet ${url} is partial`);
  }
  return set;
}

/** Expands a ValueSet resource; `trail` holds the canonical URLs being expanded (import cycles). */
export async function expandValueSet(vs: ValueSet, source: TerminologySource, trail: string[] = []): Promise<ConceptSet> {
  const url = vs.url ?? `ValueSet/${vs.id ?? ''}`;
  const compose = vs.compose;
  if (!compose) {
    if (vs.expansion) return checkSize(fromExpansion(vs, url), url);
    throw new TerminologyError('not-expandable', `ValueSet ${url} has neither compose nor expansion`);
  }
  const out = new ConceptSet();
  for (const inc of compose.include ?? []) {
    out.addAll(await includeSet(inc, source, url, trail));
    checkSize(out, url);
  }
  for (const exc of compose.exclude ?? []) out.removeAll(await includeSet(exc, source, url, trail));
  return out;
}

/** Expands the ValueSet a canonical URL names (`url` or `url|version`). */
export async function expandCanonical(canonical: string, source: TerminologySource, trail: string[] = []): Promise<ConceptSet> {
  if (trail.includes(canonical)) throw new TerminologyError('not-expandable', `ValueSet ${canonical} imports itself (${[...trail, canonical].join(' → ')})`);
  const vs = await source.valueSet(canonical);
  if (!vs) throw new TerminologyError('unknown', `ValueSet ${canonical} is not known to this server`);
  return expandValueSet(vs, source, [...trail, canonical]);
}

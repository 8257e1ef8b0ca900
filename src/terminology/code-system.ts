import type { CodeSystem, CodeSystemConcept, CodeSystemConceptProperty } from '@medplum/fhirtypes';

/**
 * A CodeSystem resource indexed for lookups: its concepts by code, their properties, and the
 * subsumption hierarchy. The hierarchy comes from concept nesting (CodeSystem.concept.concept) and
 * from the `parent` / `subsumedBy` and `child` concept properties (by code, or declared with the
 * standard concept-properties URIs), so a concept may have several parents.
 */

const PARENT_URIS = new Set(['http://hl7.org/fhir/concept-properties#parent']);
const CHILD_URIS = new Set(['http://hl7.org/fhir/concept-properties#child']);

/** The value of a concept property as text (codes, strings, booleans, numbers, Coding codes). */
export function propertyText(p: CodeSystemConceptProperty): string | undefined {
  const v = p.valueCode ?? p.valueString ?? p.valueCoding?.code ?? p.valueDateTime;
  if (v !== undefined) return v;
  if (p.valueBoolean !== undefined) return String(p.valueBoolean);
  if (p.valueInteger !== undefined) return String(p.valueInteger);
  if (p.valueDecimal !== undefined) return String(p.valueDecimal);
  return undefined;
}

export interface ConceptEntry {
  code: string;
  display?: string;
  /** Property code → values (several when a property repeats). */
  properties: Map<string, string[]>;
}

export class CodeSystemIndex {
  readonly url: string;
  readonly version?: string;
  /** CodeSystem.content: only `complete` systems can be enumerated or searched by hierarchy. */
  readonly content: string;
  private readonly concepts = new Map<string, ConceptEntry>();
  private readonly parents = new Map<string, Set<string>>();
  private readonly children = new Map<string, Set<string>>();

  constructor(cs: CodeSystem) {
    this.url = cs.url ?? '';
    if (cs.version !== undefined) this.version = cs.version;
    this.content = cs.content ?? 'not-present';
    const parentProps = new Set(['parent', 'subsumedBy']);
    const childProps = new Set(['child']);
    for (const p of cs.property ?? []) {
      if (p.uri && PARENT_URIS.has(p.uri)) parentProps.add(p.code!);
      if (p.uri && CHILD_URIS.has(p.uri)) childProps.add(p.code!);
    }
    const walk = (list: CodeSystemConcept[] | undefined, parent: string | undefined): void => {
      for (const c of list ?? []) {
        if (!c.code) continue;
        const properties = new Map<string, string[]>();
        for (const p of c.property ?? []) {
          const text = p.code ? propertyText(p) : undefined;
          if (text === undefined) continue;
          properties.set(p.code!, [...(properties.get(p.code!) ?? []), text]);
          if (parentProps.has(p.code!)) this.link(text, c.code);
          if (childProps.has(p.code!)) this.link(c.code, text);
        }
        this.concepts.set(c.code, { code: c.code, ...(c.display !== undefined ? { display: c.display } : {}), properties });
        if (parent !== undefined) this.link(parent, c.code);
        walk(c.concept, c.code);
      }
    };
    walk(cs.concept, undefined);
  }

  private link(parent: string, child: string): void {
    if (parent === child) return;
    const up = this.parents.get(child) ?? new Set<string>();
    up.add(parent);
    this.parents.set(child, up);
    const down = this.children.get(parent) ?? new Set<string>();
    down.add(child);
    this.children.set(parent, down);
  }

  get complete(): boolean {
    return this.content === 'complete';
  }

  /** Whether any concept has a parent. */
  get hasHierarchy(): boolean {
    return this.parents.size > 0;
  }

  has(code: string): boolean {
    return this.concepts.has(code);
  }

  concept(code: string): ConceptEntry | undefined {
    return this.concepts.get(code);
  }

  /** Every code, in definition order. */
  codes(): string[] {
    return [...this.concepts.keys()];
  }

  parentsOf(code: string): ReadonlySet<string> {
    return this.parents.get(code) ?? new Set();
  }

  childrenOf(code: string): ReadonlySet<string> {
    return this.children.get(code) ?? new Set();
  }

  /** Every code below `code` (children, their children, …), without `code` itself. */
  descendants(code: string): Set<string> {
    return this.closure(code, this.children);
  }

  /** Every code above `code` (parents, their parents, …), without `code` itself. */
  ancestors(code: string): Set<string> {
    return this.closure(code, this.parents);
  }

  private closure(start: string, edges: Map<string, Set<string>>): Set<string> {
    const seen = new Set<string>();
    const queue = [start];
    while (queue.length > 0) {
      for (const next of edges.get(queue.pop()!) ?? []) {
        if (next === start || seen.has(next)) continue;
        seen.add(next);
        queue.push(next);
      }
    }
    return seen;
  }
}

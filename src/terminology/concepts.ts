/** One concept of a code system, as a ValueSet expansion lists it. */
export interface Concept {
  system: string;
  code: string;
}

/** A set of (system, code) pairs: what a ValueSet expansion yields. */
export class ConceptSet implements Iterable<Concept> {
  private readonly bySystem = new Map<string, Set<string>>();
  private count = 0;

  static of(system: string, codes: Iterable<string>): ConceptSet {
    const set = new ConceptSet();
    for (const code of codes) set.add(system, code);
    return set;
  }

  get size(): number {
    return this.count;
  }

  add(system: string, code: string): void {
    let codes = this.bySystem.get(system);
    if (!codes) this.bySystem.set(system, (codes = new Set()));
    if (!codes.has(code)) {
      codes.add(code);
      this.count++;
    }
  }

  has(system: string, code: string): boolean {
    return this.bySystem.get(system)?.has(code) ?? false;
  }

  delete(system: string, code: string): void {
    if (this.bySystem.get(system)?.delete(code)) this.count--;
  }

  addAll(other: ConceptSet): void {
    for (const c of other) this.add(c.system, c.code);
  }

  removeAll(other: ConceptSet): void {
    for (const c of other) this.delete(c.system, c.code);
  }

  /** The concepts of this set that `other` holds too. */
  intersect(other: ConceptSet): ConceptSet {
    const out = new ConceptSet();
    for (const c of this) if (other.has(c.system, c.code)) out.add(c.system, c.code);
    return out;
  }

  /** The code systems the set draws on. */
  systems(): string[] {
    return [...this.bySystem.keys()];
  }

  *[Symbol.iterator](): Iterator<Concept> {
    for (const [system, codes] of this.bySystem) for (const code of codes) yield { system, code };
  }

  /** The concepts as two parallel arrays (element i of each is one concept). */
  toArrays(): { systems: string[]; codes: string[] } {
    const systems: string[] = [];
    const codes: string[] = [];
    for (const [system, set] of this.bySystem) {
      for (const code of set) {
        systems.push(system);
        codes.push(code);
      }
    }
    return { systems, codes };
  }
}

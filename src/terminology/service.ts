import type { CodeSystem, ValueSet } from '@medplum/fhirtypes';
import type { Repository } from '../storage/repository';
import { sql } from '../storage/sql';
import { cached } from './cache';
import { CodeSystemIndex } from './code-system';
import type { ConceptSet } from './concepts';
import { TerminologyError } from './errors';
import { expandCanonical, type TerminologySource } from './expand';
import { parseCanonical, r4CodeSystem, r4ValueSet, storedCanonical } from './sources';

/**
 * The terminology service: ValueSet expansion and subsumption over the R4 CodeSystems and
 * ValueSets and those stored in the database (a stored resource wins over an R4 one with the same
 * URL). One instance serves one request, on that request's repository (inside a transaction it
 * sees the transaction's own writes); results are cached process-wide (cache.ts).
 *
 * The cache key includes a database stamp read once per instance: the sum of the latest
 * last_updated of CodeSystems and of ValueSets (deletions included). Either only grows with each
 * write, so a write committed by another process, or one not yet committed when this process
 * bumped its generation, still changes the key.
 */

export type Subsumption = 'equivalent' | 'subsumes' | 'subsumed-by' | 'not-subsumed';

const STAMP = sql`SELECT (coalesce(extract(epoch FROM (SELECT max(last_updated) FROM resources WHERE resource_type = 'CodeSystem')), 0)
  + coalesce(extract(epoch FROM (SELECT max(last_updated) FROM resources WHERE resource_type = 'ValueSet')), 0)) * 1000 AS total`;

interface FoundSystem {
  index: CodeSystemIndex;
  stored: boolean;
}

export class Terminology implements TerminologySource {
  private stampValue: Promise<string> | undefined;

  constructor(private readonly repo: Repository) {}

  private stamp(): Promise<string> {
    this.stampValue ??= this.repo.count(STAMP, 'accurate').then(String);
    return this.stampValue;
  }

  /** The ValueSet named by a canonical URL (`url` or `url|version`). */
  async valueSet(canonical: string): Promise<ValueSet | undefined> {
    const c = parseCanonical(canonical);
    return (await storedCanonical<ValueSet>(this.repo, 'ValueSet', c)) ?? r4ValueSet(c);
  }

  /** The CodeSystem with this URL (`url` or `url|version`), indexed. */
  async codeSystem(canonical: string): Promise<CodeSystemIndex | undefined> {
    const found = await cached<FoundSystem | null>(
      await this.stamp(),
      `cs|${canonical}`,
      async () => {
        const c = parseCanonical(canonical);
        const stored = await storedCanonical<CodeSystem>(this.repo, 'CodeSystem', c);
        if (stored) return { index: new CodeSystemIndex(stored), stored: true };
        const r4 = r4CodeSystem(c);
        return r4 ? { index: r4, stored: false } : null;
      },
      // R4 systems are indexed once per process anyway; only stored ones weigh on the cache.
      (f) => (f?.stored ? f.index.codes().length : 1),
    );
    return found?.index;
  }

  /** The concepts of a ValueSet; rejects with a TerminologyError when it is unknown or not enumerable. */
  async expand(canonical: string): Promise<ConceptSet> {
    return cached(await this.stamp(), `vs|${canonical}`, () => expandCanonical(canonical, this), (s) => s.size);
  }

  /** A complete CodeSystem, or undefined (unknown, or content other than complete). */
  private async complete(system: string): Promise<CodeSystemIndex | undefined> {
    const cs = await this.codeSystem(system);
    return cs?.complete ? cs : undefined;
  }

  /** The codes below `code` in `system` (none for an unknown code); undefined when the system is not held completely. */
  async descendants(system: string, code: string): Promise<string[] | undefined> {
    const cs = await this.complete(system);
    return cs ? [...cs.descendants(code)] : undefined;
  }

  /** The codes above `code` in `system`; undefined when the system is not held completely. */
  async ancestors(system: string, code: string): Promise<string[] | undefined> {
    const cs = await this.complete(system);
    return cs ? [...cs.ancestors(code)] : undefined;
  }

  /** How code `a` relates to code `b` in `system` ($subsumes semantics). */
  async subsumes(system: string, a: string, b: string): Promise<Subsumption> {
    const cs = await this.complete(system);
    if (!cs) throw new TerminologyError('unknown', `Code system ${system} is not held completely by this server`);
    for (const code of [a, b]) if (!cs.has(code)) throw new TerminologyError('unknown', `Code '${code}' is not defined in ${system}`);
    if (a === b) return 'equivalent';
    if (cs.descendants(a).has(b)) return 'subsumes';
    if (cs.descendants(b).has(a)) return 'subsumed-by';
    return 'not-subsumed';
  }
}

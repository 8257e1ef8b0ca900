import type { Repository } from '../storage/repository';
import { Terminology } from './service';

/**
 * The terminology service (transport-free): ValueSet expansion, subsumption, descendants and
 * ancestors over the R4 terminology and the CodeSystems / ValueSets stored in the database.
 */

export { terminologyChanged } from './cache';
export { CodeSystemIndex } from './code-system';
export { ConceptSet, type Concept } from './concepts';
export { TerminologyError, type TerminologyProblem } from './errors';
export { MAX_EXPANSION } from './expand';
export { Terminology, type Subsumption } from './service';

/** The resource types whose writes change what the terminology service answers. */
export const TERMINOLOGY_TYPES: ReadonlySet<string> = new Set(['CodeSystem', 'ValueSet']);

/** A terminology service over `repo` (one per request; the cache behind it is shared). */
export function terminology(repo: Repository): Terminology {
  return new Terminology(repo);
}

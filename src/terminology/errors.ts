/**
 * Why the terminology service could not answer: the ValueSet or CodeSystem is not known, its
 * content cannot be enumerated here (external or partial code systems, unsupported filters), or the
 * expansion exceeds the size this server works with.
 */
export type TerminologyProblem = 'unknown' | 'not-expandable' | 'too-large';

export class TerminologyError extends Error {
  constructor(
    readonly problem: TerminologyProblem,
    message: string,
  ) {
    super(message);
    this.name = 'TerminologyError';
  }
}

/**
 * The one error type of Hearth. Every failure that should reach a client carries an
 * OperationOutcome issue code and the HTTP status it maps to; anything else is a bug (500).
 */

export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';

/** OperationOutcome.issue.code values used by Hearth (FHIR R4 IssueType). */
export type IssueCode =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'invariant'
  | 'security'
  | 'login'
  | 'forbidden'
  | 'processing'
  | 'not-supported'
  | 'duplicate'
  | 'multiple-matches'
  | 'not-found'
  | 'deleted'
  | 'too-long'
  | 'code-invalid'
  | 'extension'
  | 'too-costly'
  | 'business-rule'
  | 'conflict'
  | 'transient'
  | 'lock-error'
  | 'exception'
  | 'timeout'
  | 'incomplete'
  | 'throttled'
  | 'informational';

export interface Issue {
  severity: IssueSeverity;
  code: IssueCode;
  diagnostics: string;
  /** FHIRPath expressions of the offending elements, e.g. `Patient.name[0].given`. */
  expression?: string[];
}

export class FhirError extends Error {
  readonly status: number;
  readonly issues: Issue[];
  readonly headers: Record<string, string>;

  constructor(status: number, issues: Issue[] | Issue, headers: Record<string, string> = {}) {
    const list = Array.isArray(issues) ? issues : [issues];
    super(list.map((i) => i.diagnostics).join('; ') || `HTTP ${status}`);
    this.name = 'FhirError';
    this.status = status;
    this.issues = list;
    this.headers = headers;
  }

  get code(): IssueCode {
    return this.issues[0]?.code ?? 'exception';
  }
}

function make(status: number, code: IssueCode) {
  return (diagnostics: string, expression?: string[]): FhirError =>
    new FhirError(status, { severity: 'error', code, diagnostics, ...(expression ? { expression } : {}) });
}

/** Shorthands for the errors interactions raise most. */
export const errors = {
  badRequest: make(400, 'invalid'),
  notSupported: make(400, 'not-supported'),
  unauthorized: make(401, 'login'),
  forbidden: make(403, 'forbidden'),
  notFound: make(404, 'not-found'),
  methodNotAllowed: make(405, 'not-supported'),
  notAcceptable: make(406, 'not-supported'),
  conflict: make(409, 'conflict'),
  gone: make(410, 'deleted'),
  preconditionFailed: make(412, 'conflict'),
  multipleMatches: make(412, 'multiple-matches'),
  tooLarge: make(413, 'too-long'),
  unsupportedMediaType: make(415, 'not-supported'),
  unprocessable: make(422, 'processing'),
  tooManyRequests: make(429, 'throttled'),
};

export function isFhirError(e: unknown): e is FhirError {
  return e instanceof FhirError;
}

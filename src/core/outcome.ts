import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { FhirError, type Issue } from './errors';

/** The single place where errors become OperationOutcomes. */
export function issuesToOutcome(issues: Issue[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i): OperationOutcomeIssue => {
      const out: OperationOutcomeIssue = { severity: i.severity, code: i.code, diagnostics: i.diagnostics };
      if (i.expression && i.expression.length > 0) out.expression = i.expression;
      return out;
    }),
  };
}

export interface ErrorResult {
  status: number;
  outcome: OperationOutcome;
  headers: Record<string, string>;
  /** True when the error is not a FhirError: a bug, to be logged at error level. */
  unexpected: boolean;
}

export function errorToOutcome(err: unknown): ErrorResult {
  if (err instanceof FhirError) {
    return { status: err.status, outcome: issuesToOutcome(err.issues), headers: err.headers, unexpected: false };
  }
  return {
    status: 500,
    outcome: issuesToOutcome([
      { severity: 'error', code: 'exception', diagnostics: 'Internal server error' },
    ]),
    headers: {},
    unexpected: true,
  };
}

export function informationOutcome(diagnostics: string): OperationOutcome {
  return issuesToOutcome([{ severity: 'information', code: 'informational', diagnostics }]);
}

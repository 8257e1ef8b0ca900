import type { IssueCode } from '../core/errors';

/**
 * Official R4 (4.0.1) examples that violate the R4 base definitions themselves. Base validation
 * must reject each of them, and only for the reason given here.
 */

export interface KnownInvalidExample {
  /** File name in the examples folder of the hl7.fhir.r4.examples package. */
  file: string;
  /** The R4 rule the example breaks. */
  reason: string;
  /** Every error issue of the example has this code and an expression matching this pattern. */
  code: IssueCode;
  expression: RegExp;
}

export const KNOWN_INVALID_EXAMPLES: readonly KnownInvalidExample[] = [
  {
    file: 'Questionnaire-qs1.json',
    reason:
      'Questionnaire.item.linkId is mandatory (1..1) in R4, but the display items of this generated questionnaire ' +
      '(the fly-over help texts) have no linkId.',
    code: 'required',
    expression: /^Questionnaire(\.item\[\d+\])+\.linkId$/,
  },
];

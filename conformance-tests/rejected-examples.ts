/**
 * Official R4 (4.0.1) examples that break the R4 base definitions, so that Hearth rightly refuses
 * them. The round-trip test asserts that each of these is rejected (400 or 422) and that every
 * other example is stored and read back unchanged.
 */
export interface RejectedExample {
  /** File name in the examples folder. */
  file: string;
  /** For a resource inside an example Bundle, `entry[i] Type/id`; absent for the file's own resource. */
  entry?: string;
  /** The R4 rule the example breaks. */
  reason: string;
  /** Every expression of every error issue in the rejection matches this: it is rejected for that reason only. */
  expression: RegExp;
}

export const REJECTED_EXAMPLES: readonly RejectedExample[] = [
  {
    file: 'Questionnaire-qs1.json',
    reason:
      'Questionnaire.item.linkId is 1..1 in R4, but the nested display items of this generated questionnaire ' +
      '(the fly-over help texts, e.g. item[0].item[0]) have no linkId.',
    expression: /^Questionnaire(\.item\[\d+\])+\.linkId$/,
  },
];

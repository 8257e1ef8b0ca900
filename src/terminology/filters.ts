import type { ValueSetComposeIncludeFilter } from '@medplum/fhirtypes';
import type { CodeSystemIndex } from './code-system';
import { TerminologyError } from './errors';

/**
 * The codes of a loaded CodeSystem that satisfy one ValueSet.compose filter (valueset.html#filters):
 *   is-a            the value and every code below it        descendent-of   only the codes below it
 *   is-not-a        every code except is-a                   generalizes     the value and every code above it
 *   =               property equals the value (`concept`/`code`: that code; `parent`/`child`: by hierarchy;
 *                   `display`; any concept property)
 *   in / not-in     property value in (not in) the comma-separated list
 *   exists          the property is present (`true`) or absent (`false`)
 * Other operators (regex among them) are refused: the ValueSet is then not expandable here.
 */

const SELF = new Set(['concept', 'code']);

function hierarchyCodes(cs: CodeSystemIndex, op: string, value: string): Set<string> {
  const known = cs.has(value);
  switch (op) {
    case 'is-a':
      return known ? new Set([value, ...cs.descendants(value)]) : new Set();
    case 'descendent-of':
      return known ? cs.descendants(value) : new Set();
    case 'generalizes':
      return known ? new Set([value, ...cs.ancestors(value)]) : new Set();
    default: {
      const below = hierarchyCodes(cs, 'is-a', value);
      return new Set(cs.codes().filter((c) => !below.has(c)));
    }
  }
}

/** The values of `property` for `code`: its own code, display, hierarchy links or concept properties. */
function valuesOf(cs: CodeSystemIndex, code: string, property: string): string[] {
  if (SELF.has(property)) return [code];
  if (property === 'parent') return [...cs.parentsOf(code)];
  if (property === 'child') return [...cs.childrenOf(code)];
  const entry = cs.concept(code);
  if (property === 'display') return entry?.display !== undefined ? [entry.display] : [];
  return entry?.properties.get(property) ?? [];
}

export function filterCodes(cs: CodeSystemIndex, filter: ValueSetComposeIncludeFilter): Set<string> {
  const { property, op, value } = filter;
  if (!property || !op || value === undefined) {
    throw new TerminologyError('not-expandable', `A filter on ${cs.url} lacks its property, op or value`);
  }
  if (op === 'is-a' || op === 'descendent-of' || op === 'is-not-a' || op === 'generalizes') {
    if (!SELF.has(property)) throw new TerminologyError('not-expandable', `Filter '${property} ${op}' on ${cs.url} is not supported`);
    return hierarchyCodes(cs, op, value);
  }
  const codes = cs.codes();
  const matching = (test: (values: string[]) => boolean) => new Set(codes.filter((c) => test(valuesOf(cs, c, property))));
  switch (op) {
    case '=':
      return matching((vs) => vs.includes(value));
    case 'in':
    case 'not-in': {
      const list = new Set(value.split(',').map((v) => v.trim()));
      const hit = (vs: string[]) => vs.some((v) => list.has(v));
      return matching(op === 'in' ? hit : (vs) => !hit(vs));
    }
    case 'exists':
      return matching((vs) => (vs.length > 0) === (value === 'true'));
    default:
      throw new TerminologyError('not-expandable', `Filter operator '${op}' (on ${cs.url}) is not supported`);
  }
}

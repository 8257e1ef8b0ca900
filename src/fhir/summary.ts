import { r4StructureDefinitions } from './definitions';

/**
 * Top-level element names of each resource type that belong to the summary (isSummary) and that are
 * mandatory (min > 0), for `_summary` and `_elements`. Choice elements are listed by their stem
 * (`value[x]` as `value`) and matched against every typed variant.
 */
export interface ElementSets {
  summary: ReadonlySet<string>;
  mandatory: ReadonlySet<string>;
  choiceStems: ReadonlySet<string>;
  /** Every top-level element name. */
  all: ReadonlySet<string>;
}

let index: Map<string, ElementSets> | undefined;

function build(): Map<string, ElementSets> {
  const map = new Map<string, ElementSets>();
  for (const sd of r4StructureDefinitions()) {
    if (sd.kind !== 'resource' || !sd.type) continue;
    const summary = new Set<string>(['id', 'meta', 'implicitRules']);
    const mandatory = new Set<string>();
    const choiceStems = new Set<string>();
    const all = new Set<string>();
    for (const el of sd.snapshot?.element ?? []) {
      const parts = el.path?.split('.') ?? [];
      if (parts.length !== 2) continue;
      let name = parts[1];
      if (name.endsWith('[x]')) {
        name = name.slice(0, -3);
        choiceStems.add(name);
      }
      all.add(name);
      if (el.isSummary) summary.add(name);
      if ((el.min ?? 0) > 0) mandatory.add(name);
    }
    map.set(sd.type, { summary, mandatory, choiceStems, all });
  }
  return map;
}

export function elementSets(resourceType: string): ElementSets | undefined {
  if (!index) index = build();
  return index.get(resourceType);
}

/** The declared element a JSON property belongs to: `valueQuantity` → `value`, `_birthDate` → `birthDate`. */
export function elementOf(property: string, sets: ElementSets): string {
  const name = property.startsWith('_') ? property.slice(1) : property;
  for (const stem of sets.choiceStems) {
    if (name.length > stem.length && name.startsWith(stem) && /^[A-Z]/.test(name.slice(stem.length))) return stem;
  }
  return name;
}

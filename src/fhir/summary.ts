import { r4StructureDefinitions } from './definitions';

/**
 * Element names of each resource type and of each of its backbone elements (keyed by path, e.g.
 * `Observation` and `Observation.component`) that belong to the summary (isSummary) and that are
 * mandatory (min > 0), for `_summary` and `_elements`. Choice elements are listed by their stem
 * (`value[x]` as `value`) and matched against every typed variant.
 */
export interface ElementSets {
  summary: ReadonlySet<string>;
  mandatory: ReadonlySet<string>;
  choiceStems: ReadonlySet<string>;
  /** Every element name at this level. */
  all: ReadonlySet<string>;
  /** Paths of the children that are backbone elements with their own element sets. */
  backbone: ReadonlyMap<string, string>;
}

interface MutableSets {
  summary: Set<string>;
  mandatory: Set<string>;
  choiceStems: Set<string>;
  all: Set<string>;
  backbone: Map<string, string>;
}

let index: Map<string, ElementSets> | undefined;

function emptySets(): MutableSets {
  return { summary: new Set(['id', 'meta', 'implicitRules']), mandatory: new Set(), choiceStems: new Set(), all: new Set(), backbone: new Map() };
}

function build(): Map<string, ElementSets> {
  const map = new Map<string, MutableSets>();
  const sets = (path: string) => {
    let s = map.get(path);
    if (!s) map.set(path, (s = emptySets()));
    return s;
  };
  for (const sd of r4StructureDefinitions()) {
    if (sd.kind !== 'resource' || !sd.type) continue;
    sets(sd.type);
    for (const el of sd.snapshot?.element ?? []) {
      const path = el.path ?? '';
      const dot = path.lastIndexOf('.');
      if (dot < 0) continue;
      const parent = sets(path.slice(0, dot));
      let name = path.slice(dot + 1);
      if (name.endsWith('[x]')) {
        name = name.slice(0, -3);
        parent.choiceStems.add(name);
      }
      parent.all.add(name);
      if (el.isSummary) parent.summary.add(name);
      if ((el.min ?? 0) > 0) parent.mandatory.add(name);
      const code = el.type?.[0]?.code;
      if (code === 'BackboneElement' || code === 'Element') parent.backbone.set(name, path);
      if (el.contentReference) parent.backbone.set(name, el.contentReference.replace(/^#/, ''));
    }
  }
  return map;
}

/** The element sets of a resource type or of a backbone path within it. */
export function elementSets(path: string): ElementSets | undefined {
  if (!index) index = build();
  return index.get(path);
}

/** The declared element a JSON property belongs to: `valueQuantity` → `value`, `_birthDate` → `birthDate`. */
export function elementOf(property: string, sets: ElementSets): string {
  const name = property.startsWith('_') ? property.slice(1) : property;
  for (const stem of sets.choiceStems) {
    if (name.length > stem.length && name.startsWith(stem) && /^[A-Z]/.test(name.slice(stem.length))) return stem;
  }
  return name;
}

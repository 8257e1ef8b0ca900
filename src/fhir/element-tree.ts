import type { ElementDefinition, ElementDefinitionType, StructureDefinition } from '@medplum/fhirtypes';
import { r4StructureDefinitions } from './definitions';
import { applyR4Corrections } from './r4-corrections';

/**
 * The R4 base StructureDefinition snapshots as trees of elements, one per type.
 * Backbone elements (and inline `Element` groups such as Timing.repeat) carry their children;
 * `contentReference` elements point at the path whose children they reuse.
 */

export interface ElementNode {
  /** JSON property name; for a choice element (`value[x]`) the name without `[x]`. */
  name: string;
  /** Snapshot path, e.g. `Observation.component.code`. */
  path: string;
  min: number;
  /** Maximum cardinality; `Infinity` for `*`. */
  max: number;
  /** True for `[x]` elements: one JSON property per type, name + capitalised type code. */
  choice: boolean;
  /** FHIR type codes (`string`, `HumanName`, `Resource`, `BackboneElement`, ...). */
  types: string[];
  /** Child elements, when the element defines its own structure. */
  children?: ElementNode[];
  /** Path of the element whose structure this one reuses (from `contentReference`). */
  contentReference?: string;
  binding?: { strength: string; valueSet?: string };
  /** Represented as an XML attribute (element `id`, `Extension.url`): no `_name` sibling in JSON. */
  xmlAttr?: boolean;
}

export interface TypeNode {
  name: string;
  url: string;
  kind: 'primitive-type' | 'complex-type' | 'resource' | 'logical';
  abstract: boolean;
  elements: ElementNode[];
}

const FHIR_TYPE_EXT = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';
const SYSTEM_TYPES: Record<string, string> = {
  'http://hl7.org/fhirpath/System.String': 'string',
  'http://hl7.org/fhirpath/System.Boolean': 'boolean',
  'http://hl7.org/fhirpath/System.Integer': 'integer',
  'http://hl7.org/fhirpath/System.Decimal': 'decimal',
  'http://hl7.org/fhirpath/System.Date': 'date',
  'http://hl7.org/fhirpath/System.DateTime': 'dateTime',
  'http://hl7.org/fhirpath/System.Time': 'time',
};

/** FHIR type code of an element type; FHIRPath system types map to their FHIR primitive. */
function typeCode(t: ElementDefinitionType): string {
  const code = t.code ?? '';
  if (!code.startsWith('http://hl7.org/fhirpath/')) return code;
  const ext = t.extension?.find((x) => x.url === FHIR_TYPE_EXT)?.valueUrl;
  return ext ?? SYSTEM_TYPES[code] ?? 'string';
}

function toNode(e: ElementDefinition, name: string, resourceRoot: boolean): ElementNode {
  const choice = name.endsWith('[x]');
  let types = (e.type ?? []).map(typeCode);
  // R4 snapshots type Resource.id as System.String; the specification defines it as `id`.
  if (resourceRoot && name === 'id') types = ['id'];
  const node: ElementNode = {
    name: choice ? name.slice(0, -3) : name,
    path: e.path as string,
    min: e.min ?? 0,
    max: e.max === '*' ? Infinity : Number(e.max ?? '1'),
    choice,
    types,
  };
  if (e.representation?.includes('xmlAttr')) node.xmlAttr = true;
  if (e.contentReference) node.contentReference = e.contentReference.replace(/^.*#/, '');
  if (e.binding) node.binding = { strength: e.binding.strength as string, valueSet: e.binding.valueSet };
  return node;
}

function buildType(sd: StructureDefinition): TypeNode {
  const name = sd.type as string;
  const root: TypeNode = {
    name,
    url: sd.url as string,
    kind: sd.kind as TypeNode['kind'],
    abstract: !!sd.abstract,
    elements: [],
  };
  const byPath = new Map<string, ElementNode>();
  for (const e of sd.snapshot?.element ?? []) {
    const path = e.path as string;
    const dot = path.lastIndexOf('.');
    if (dot < 0) continue;
    const parentPath = path.slice(0, dot);
    const node = toNode(e, path.slice(dot + 1), sd.kind === 'resource' && parentPath === name);
    if (node.max === 0) continue;
    byPath.set(path, node);
    if (parentPath === name) {
      root.elements.push(node);
    } else {
      const parent = byPath.get(parentPath);
      if (!parent) continue;
      (parent.children ??= []).push(node);
    }
  }
  return root;
}

let tree: ReadonlyMap<string, TypeNode> | undefined;

/**
 * Every R4 base type (primitives, data types, resources, abstract bases) by name.
 * Constraint profiles of the base (SimpleQuantity, MoneyQuantity) are not included, and the
 * non-R4 additions of the shipped definitions are removed (see r4-corrections.ts).
 */
export function r4ElementTree(): ReadonlyMap<string, TypeNode> {
  if (!tree) {
    const map = new Map<string, TypeNode>();
    for (const sd of r4StructureDefinitions()) {
      if (sd.derivation === 'constraint' || sd.kind === 'logical') continue;
      map.set(sd.type as string, buildType(sd));
    }
    applyR4Corrections(map);
    tree = map;
  }
  return tree;
}

let concreteResources: ReadonlySet<string> | undefined;

/** The concrete R4 resource types of the (corrected) tree. */
export function r4ConcreteResourceTypes(): ReadonlySet<string> {
  if (!concreteResources) {
    const names = [...r4ElementTree().values()].filter((t) => t.kind === 'resource' && !t.abstract).map((t) => t.name);
    concreteResources = new Set(names.sort());
  }
  return concreteResources;
}

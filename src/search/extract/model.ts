import { r4ElementTree, type ElementNode } from '../../fhir/element-tree';
import { QUANTITY_TYPES } from './shape';

/**
 * Static types for compiled paths, from the R4 element tree: the type of a focus is either a named
 * FHIR type (`CodeableConcept`, `Observation`, `string`) or a backbone element with its own
 * children. `undefined` stands for "not known statically" (paths outside the R4 definitions).
 */
export interface TypeCtx {
  /** FHIR type code; `BackboneElement` / `Element` for inline structures. */
  name: string;
  /** Snapshot path of an inline structure (`Observation.component`), or the type name. */
  path: string;
  /** Children of an inline structure. */
  elements?: readonly ElementNode[];
}

/** One way a member step can go: the JSON property to read and the static type found there. */
export interface MemberRoute {
  property: string;
  type: TypeCtx | undefined;
}

const RESOURCE_BASES = new Set(['Resource', 'DomainResource']);

let byPath: Map<string, ElementNode> | undefined;

/** Any element of the tree by snapshot path (for `contentReference`). */
function elementAt(path: string): ElementNode | undefined {
  if (!byPath) {
    byPath = new Map();
    const add = (list: readonly ElementNode[]): void => {
      for (const e of list) {
        byPath!.set(e.path, e);
        if (e.children) add(e.children);
      }
    };
    for (const t of r4ElementTree().values()) add(t.elements);
  }
  return byPath.get(path);
}

export function namedType(name: string): TypeCtx {
  return { name, path: name };
}

export function isResourceTypeName(name: string): boolean {
  const t = r4ElementTree().get(name);
  return t !== undefined && t.kind === 'resource';
}

function elementsOf(type: TypeCtx): readonly ElementNode[] | undefined {
  return type.elements ?? r4ElementTree().get(type.name)?.elements;
}

function typeOfElement(e: ElementNode, typeCode: string): TypeCtx {
  const target = e.contentReference ? elementAt(e.contentReference) : e;
  if (target?.children && (typeCode === 'BackboneElement' || typeCode === 'Element' || e.contentReference)) {
    return { name: typeCode || 'BackboneElement', path: target.path, elements: target.children };
  }
  return namedType(typeCode);
}

const upperFirst = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The routes of a member step on a focus of the given type: one for a plain element, one per type
 * for a choice element (`value` → `valueQuantity`, `valueString`, ...), or an untyped property read
 * when the element is not in the R4 definitions.
 */
export function memberRoutes(type: TypeCtx | undefined, name: string): MemberRoute[] {
  const elements = type ? elementsOf(type) : undefined;
  const e = elements?.find((x) => x.name === name);
  if (!e) return [{ property: name, type: undefined }];
  if (e.choice) return e.types.map((t) => ({ property: name + upperFirst(t), type: namedType(t) }));
  return [{ property: name, type: typeOfElement(e, e.types[0] ?? '') }];
}

/** True when values of static type `actual` are of type `wanted` (FHIRPath `is`/`as`/`ofType`). */
export function typeMatches(actual: string, wanted: string): boolean {
  const w = wanted.replace(/^(FHIR|System)\./, '');
  if (upperFirst(actual) === upperFirst(w)) return true;
  if (w === 'Quantity' && QUANTITY_TYPES.has(actual)) return true;
  return RESOURCE_BASES.has(w) && isResourceTypeName(actual);
}

/** Types whose values carry their own type in `resourceType` (contained / Bundle entries). */
export function isResourceSlot(type: TypeCtx | undefined): boolean {
  return type !== undefined && RESOURCE_BASES.has(type.name);
}

export function stripNamespace(type: string): string {
  return type.replace(/^(FHIR|System)\./, '');
}

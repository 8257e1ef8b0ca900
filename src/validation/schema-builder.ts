import type { SchemaObject } from 'ajv';
import type { ElementNode, TypeNode } from '../fhir/element-tree';
import type { ChoiceSpec } from './choice-dispatch';
import type { ChoiceKey, ObjectRules } from './element-rules';
import { isPrimitiveType, primitiveSchema } from './primitives';

/**
 * Generates one JSON Schema per R4 complex type and resource from the element tree:
 * - a property per element; `value[x]` becomes `valueString`, `valueQuantity`, ...;
 * - arrays (non-empty) for elements with max > 1, single values otherwise;
 * - `_name` siblings for primitives (their id and extensions), nullable inside arrays;
 * - backbone elements inline, contentReference targets as their own schemas;
 * - data types by `$ref`, `Resource`-typed elements through the `fhirResource` keyword;
 * - `additionalProperties: false`, `resourceType` as a const;
 * - required bindings on `code` elements as enums when the ValueSet can be enumerated;
 * - the rules JSON Schema cannot say in the `fhirElement` keyword (see element-rules.ts);
 * - choice elements open to most data types through the `fhirChoice` keyword (choice-dispatch.ts).
 * `fhirType` / `fhirArray` annotate schemas for the diagnostics.
 */

export const SCHEMA_PREFIX = 'urn:fhir:';
export const PRIMITIVE_ELEMENT = `${SCHEMA_PREFIX}primitive-element`;
export const PRIMITIVE_ELEMENT_OR_NULL = `${SCHEMA_PREFIX}primitive-element-or-null`;

/** Choice elements with at least this many types use `fhirChoice` instead of `properties`. */
const OPEN_CHOICE_TYPES = 20;

export type CodesLookup = (valueSet: string) => readonly string[] | undefined;

export function schemaId(name: string): string {
  return SCHEMA_PREFIX + name;
}

interface Context {
  codes: CodesLookup;
  /** Backbone paths used as contentReference targets: emitted as separate schemas. */
  referenced: Set<string>;
  out: SchemaObject[];
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function primitiveElementSchema(nullable: boolean): SchemaObject {
  return {
    $id: nullable ? PRIMITIVE_ELEMENT_OR_NULL : PRIMITIVE_ELEMENT,
    type: nullable ? ['object', 'null'] : 'object',
    fhirType: 'Element',
    properties: {
      id: primitiveSchema('string'),
      extension: { type: 'array', minItems: 1, items: { $ref: schemaId('Extension') }, fhirType: 'Extension', fhirArray: true },
    },
    additionalProperties: false,
    fhirElement: { label: 'Element', empty: 'any', required: [], primitiveArrays: [] } satisfies ObjectRules,
  };
}

function requiredCodes(e: ElementNode, ctx: Context): { codes?: readonly string[]; valueSet?: string } {
  const b = e.binding;
  if (!b || b.strength !== 'required' || !b.valueSet || e.types[0] !== 'code' || e.choice) return {};
  const codes = ctx.codes(b.valueSet);
  return codes ? { codes, valueSet: b.valueSet.split('|')[0] as string } : {};
}

/** Schema of one value of element `e` with type `type` (an array item for repeating elements). */
function valueSchema(e: ElementNode, type: string | undefined, inArray: boolean, ctx: Context): SchemaObject {
  if (e.contentReference) return { $ref: schemaId(e.contentReference) };
  if (e.children) {
    const schema = objectSchema(e.path, e.children, ctx, 'children');
    if (!ctx.referenced.has(e.path)) return schema;
    ctx.out.push({ $id: schemaId(e.path), ...schema });
    return { $ref: schemaId(e.path) };
  }
  if (!type) throw new Error(`Element without type: ${e.path}`);
  if (isPrimitiveType(type)) {
    const hasSibling = inArray && !e.xmlAttr && type !== 'xhtml';
    return primitiveSchema(type, { nullable: hasSibling, ...requiredCodes(e, ctx) });
  }
  if (type === 'Resource') return { fhirResource: true };
  return { $ref: schemaId(type) };
}

function typeLabel(e: ElementNode, type: string | undefined): string {
  if (e.contentReference) return e.contentReference;
  if (e.children) return e.path;
  return type ?? 'Element';
}

interface ObjectParts {
  properties: Record<string, SchemaObject>;
  patternProperties: Record<string, SchemaObject>;
  openChoices: ChoiceSpec[];
  rules: ObjectRules;
}

function addChoice(e: ElementNode, parts: ObjectParts, ctx: Context): void {
  const { properties, rules } = parts;
  const element = `${e.name}[x]`;
  const keys: string[] = [];
  const choices: Record<string, ChoiceKey> = (rules.choices ??= Object.create(null) as Record<string, ChoiceKey>);
  const open = e.types.length >= OPEN_CHOICE_TYPES;
  const spec: ChoiceSpec = { label: rules.label, variants: {}, primitives: [], ignore: [] };
  for (const type of e.types) {
    const key = e.name + capitalize(type);
    const primitive = isPrimitiveType(type);
    keys.push(key);
    choices[key] = { element, variant: key };
    if (primitive) {
      keys.push(`_${key}`);
      choices[`_${key}`] = { element, variant: key };
    }
    if (open) {
      spec.variants[key] = type;
      if (primitive) spec.primitives.push(key);
      continue;
    }
    properties[key] = valueSchema(e, type, false, ctx);
    if (primitive) properties[`_${key}`] = { $ref: PRIMITIVE_ELEMENT };
  }
  if (open) {
    parts.patternProperties[`^_?${e.name}[A-Z]`] = { fhirChoice: spec };
    parts.openChoices.push(spec);
  }
  if (e.min > 0) rules.required.push({ element, keys, min: e.min });
}

function addElement(e: ElementNode, parts: ObjectParts, ctx: Context): void {
  const { properties, rules } = parts;
  if (e.choice) return addChoice(e, parts, ctx);
  const type = e.types[0];
  const primitive = type !== undefined && isPrimitiveType(type) && !e.children && !e.contentReference;
  const sibling = primitive && !e.xmlAttr && type !== 'xhtml';
  const repeats = e.max > 1;
  if (repeats) {
    const array: SchemaObject = {
      type: 'array',
      minItems: 1,
      items: valueSchema(e, type, sibling, ctx),
      fhirType: typeLabel(e, type),
      fhirArray: true,
    };
    if (Number.isFinite(e.max)) array.maxItems = e.max;
    properties[e.name] = array;
    if (sibling) {
      properties[`_${e.name}`] = { type: 'array', minItems: 1, items: { $ref: PRIMITIVE_ELEMENT_OR_NULL }, fhirType: 'Element', fhirArray: true };
      rules.primitiveArrays.push(e.name);
    }
  } else {
    properties[e.name] = valueSchema(e, type, false, ctx);
    if (sibling) properties[`_${e.name}`] = { $ref: PRIMITIVE_ELEMENT };
  }
  if (e.min > 0) rules.required.push({ element: e.name, keys: sibling ? [e.name, `_${e.name}`] : [e.name], min: e.min });
}

function objectSchema(label: string, elements: ElementNode[], ctx: Context, empty: ObjectRules['empty']): SchemaObject {
  const parts: ObjectParts = {
    properties: {},
    patternProperties: {},
    openChoices: [],
    rules: { label, empty, required: [], primitiveArrays: [] },
  };
  for (const e of elements) addElement(e, parts, ctx);
  const schema: SchemaObject = { type: 'object', fhirType: label, properties: parts.properties };
  if (parts.openChoices.length > 0) {
    schema.patternProperties = parts.patternProperties;
    const patterns = Object.keys(parts.patternProperties).map((p) => new RegExp(p));
    const shadowed = Object.keys(parts.properties).filter((k) => patterns.some((p) => p.test(k)));
    for (const spec of parts.openChoices) spec.ignore = shadowed;
  }
  schema.additionalProperties = false;
  schema.fhirElement = parts.rules;
  return schema;
}

function collectReferences(elements: ElementNode[], into: Set<string>): void {
  for (const e of elements) {
    if (e.contentReference) into.add(e.contentReference);
    if (e.children) collectReferences(e.children, into);
  }
}

/** The schema of a complex type or resource, then those of its contentReference targets. */
function typeSchemas(t: TypeNode, codes: CodesLookup): SchemaObject[] {
  const ctx: Context = { codes, referenced: new Set(), out: [] };
  collectReferences(t.elements, ctx.referenced);
  const isResource = t.kind === 'resource';
  const schema = objectSchema(t.name, t.elements, ctx, isResource ? 'none' : 'children');
  if (isResource) schema.properties.resourceType = { const: t.name };
  return [{ $id: schemaId(t.name), ...schema }, ...ctx.out];
}

/** Schemas of the primitive elements' `_name` siblings and of every complex data type. */
export function buildDataTypeSchemas(types: Iterable<TypeNode>, codes: CodesLookup): SchemaObject[] {
  const out = [primitiveElementSchema(false), primitiveElementSchema(true)];
  for (const t of types) if (t.kind === 'complex-type') out.push(...typeSchemas(t, codes));
  return out;
}

/**
 * Schemas of one resource type (with its contentReference targets). They refer to data types
 * only: elements typed `Resource` are validated through `fhirResource`.
 */
export function buildResourceSchemas(t: TypeNode, codes: CodesLookup): SchemaObject[] {
  if (t.kind !== 'resource' || t.abstract) throw new Error(`Not a concrete resource type: ${t.name}`);
  return typeSchemas(t, codes);
}

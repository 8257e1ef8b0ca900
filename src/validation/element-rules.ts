import type { DataValidateFunction, DataValidationCxt, ErrorObject } from 'ajv/dist/types';

/**
 * The `fhirElement` keyword: the per-object rules JSON Schema does not express the FHIR way.
 * - required elements, where a primitive is present with its value or only its `_name` sibling,
 *   and a required choice element with any one of its type variants;
 * - at most one type variant of a choice element (`valueString` or `valueQuantity`, not both);
 * - no empty objects (FHIR elements carry a value or children);
 * - arrays of primitives and their `_name` siblings aligned: a null item on one side needs a
 *   value on the other, and both sides have the same length.
 */

export interface RequiredRule {
  /** Element name as defined, e.g. `status` or `value[x]`. */
  element: string;
  /** JSON properties any one of which satisfies the rule. */
  keys: string[];
  min: number;
}

export interface ChoiceKey {
  element: string;
  variant: string;
}

export interface ObjectRules {
  /** Type or backbone path of the object, e.g. `HumanName` or `Observation.component`. */
  label: string;
  /** `children`: an object needs a property besides `id`; `any`: any property; `none`: no check. */
  empty: 'children' | 'any' | 'none';
  required: RequiredRule[];
  /** JSON property -> the choice element and variant it belongs to (with `_` siblings). */
  choices?: Record<string, ChoiceKey>;
  /** Names of repeating primitive elements. */
  primitiveArrays: string[];
}

export type RuleErrorParams =
  | { rule: 'required'; element: string; label: string; min: number }
  | { rule: 'minItems'; element: string; label: string; min: number; count: number }
  | { rule: 'choice'; element: string; variants: string[] }
  | { rule: 'empty'; label: string }
  | { rule: 'nullItem'; element: string; index: number }
  | { rule: 'lengthMismatch'; element: string; lengths: [number, number] };

type Obj = Record<string, unknown>;

function ruleError(instancePath: string, params: RuleErrorParams): Partial<ErrorObject> {
  return { keyword: 'fhirElement', instancePath, schemaPath: '', params };
}

type Errors = Partial<ErrorObject>[] | undefined;

function push(out: Errors, e: Partial<ErrorObject>): Partial<ErrorObject>[] {
  if (!out) return [e];
  out.push(e);
  return out;
}

function hasChildren(data: Obj, anyKey: boolean): boolean {
  for (const k in data) if (anyKey || k !== 'id') return true;
  return false;
}

function checkRequired(data: Obj, r: RequiredRule, path: string, label: string, out: Errors): Errors {
  for (const k of r.keys) {
    const v = data[k];
    if (v === undefined) continue;
    if (r.min > 1 && Array.isArray(v) && v.length > 0 && v.length < r.min) {
      return push(out, ruleError(path, { rule: 'minItems', element: r.element, label, min: r.min, count: v.length }));
    }
    return out;
  }
  return push(out, ruleError(path, { rule: 'required', element: r.element, label, min: r.min }));
}

/** Reports each choice element given with more than one type variant. */
function checkChoices(first: ChoiceKey, others: ChoiceKey[], path: string, out: Errors): Errors {
  const byElement = new Map<string, string[]>();
  for (const c of [first, ...others]) {
    const list = byElement.get(c.element) ?? [];
    if (!list.includes(c.variant)) list.push(c.variant);
    byElement.set(c.element, list);
  }
  for (const [element, variants] of byElement) {
    if (variants.length > 1) out = push(out, ruleError(path, { rule: 'choice', element, variants }));
  }
  return out;
}

function checkPrimitiveArray(data: Obj, name: string, sibling: string, path: string, out: Errors): Errors {
  const values = data[name];
  const exts = data[sibling];
  const a = Array.isArray(values) ? values : undefined;
  const b = Array.isArray(exts) ? exts : undefined;
  if (a && b && a.length !== b.length) {
    return push(out, ruleError(path, { rule: 'lengthMismatch', element: name, lengths: [a.length, b.length] }));
  }
  const n = a?.length ?? b?.length ?? 0;
  for (let i = 0; i < n; i++) {
    const va = a ? a[i] : null;
    const vb = b ? b[i] : null;
    if ((va === null || va === undefined) && (vb === null || vb === undefined)) {
      out = push(out, ruleError(path, { rule: 'nullItem', element: name, index: i }));
    }
  }
  return out;
}

/** Compiles the rules of one object schema into the keyword's validation function. */
export function compileElementRules(rules: ObjectRules): DataValidateFunction {
  const { required, choices, label } = rules;
  const arrays = rules.primitiveArrays.map((name) => [name, `_${name}`] as const);
  const checkEmpty = rules.empty !== 'none';
  const anyKey = rules.empty === 'any';
  const fn: DataValidateFunction = (value: unknown, cxt?: DataValidationCxt) => {
    const data = value as Obj;
    let hasChild = !checkEmpty;
    let first: ChoiceKey | undefined;
    let others: ChoiceKey[] | undefined;
    if (choices) {
      for (const k in data) {
        if (!hasChild && (anyKey || k !== 'id')) hasChild = true;
        const c = choices[k];
        if (c === undefined) continue;
        if (!first) first = c;
        else if (c.variant !== first.variant) (others ??= []).push(c);
      }
    } else if (!hasChild) {
      hasChild = hasChildren(data, anyKey);
    }
    let out: Errors;
    const path = cxt?.instancePath ?? '';
    if (!hasChild) {
      out = push(out, ruleError(path, { rule: 'empty', label }));
    } else {
      for (const r of required) {
        if (data[r.keys[0] as string] === undefined || r.min > 1) out = checkRequired(data, r, path, label, out);
      }
      if (first && others) out = checkChoices(first, others, path, out);
      for (const [name, sibling] of arrays) {
        if (data[name] !== undefined || data[sibling] !== undefined) out = checkPrimitiveArray(data, name, sibling, path, out);
      }
    }
    fn.errors = out;
    return out === undefined;
  };
  return fn;
}

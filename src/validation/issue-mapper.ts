import type { ErrorObject } from 'ajv';
import type { Issue, IssueCode, IssueSeverity } from '../core/errors';
import type { ChoiceErrorParams } from './choice-dispatch';
import type { RuleErrorParams } from './element-rules';
import { childPath, pointerToFhirPath } from './fhir-path';
import { PRIMITIVES } from './primitives';
import { innerError, type DispatchErrorParams } from './resource-dispatch';

/**
 * Turns ajv errors (from the generated schemas and the `fhirElement`, `fhirResource` and `fhirChoice` keywords)
 * into OperationOutcome issues: a FHIRPath expression, an issue code and a diagnostics sentence
 * a client developer can act on. Identical issues are reported once.
 */

interface Annotated {
  fhirType?: string;
  fhirArray?: boolean;
  fhirValueSet?: string;
}

function issue(code: IssueCode, diagnostics: string, expression: string[], severity: IssueSeverity = 'error'): Issue {
  return { severity, code, diagnostics, expression };
}

function describe(data: unknown): string {
  if (data === null) return 'null';
  if (Array.isArray(data)) return 'an array';
  if (typeof data === 'object') return 'an object';
  if (typeof data === 'string') return `a string (${quote(data)})`;
  return `${withArticle(typeof data)} (${String(data)})`;
}

function quote(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return `'${s.length > 60 ? `${s.slice(0, 57)}...` : s}'`;
}

function withArticle(word: string): string {
  return /^[AEIOUaeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function expectedValue(schema: Annotated): string {
  const t = schema.fhirType ?? 'value';
  const spec = PRIMITIVES[t];
  if (!spec) return `${withArticle(t)} (JSON object)`;
  const json = spec.json === 'integer' ? 'JSON number without fraction' : `JSON ${spec.json}`;
  return `a FHIR ${t} (${json})`;
}

function typeIssue(e: ErrorObject, pointer: string, path: string): Issue {
  const schema = (e.parentSchema ?? {}) as Annotated;
  const data = e.data;
  const label = schema.fhirType ?? 'value';
  if (data === null) return issue('structure', `${path}: null is not allowed; omit the element instead`, [path]);
  const key = pointer.slice(pointer.lastIndexOf('/') + 1);
  if (key.startsWith('_') && !schema.fhirArray) {
    const what = `${key} (the id and extensions of ${key.slice(1)})`;
    return issue('structure', `${path}: ${what} must be a JSON object, not ${describe(data)}`, [path]);
  }
  if (schema.fhirArray) {
    return issue('structure', `${path}: the element repeats, so it must be a JSON array of ${label}, not ${describe(data)}`, [path]);
  }
  if (Array.isArray(data)) {
    return issue('structure', `${path}: the element does not repeat (max 1), so it must be ${withArticle(label)}, not an array`, [path]);
  }
  return issue('structure', `${path}: expected ${expectedValue(schema)}, found ${describe(data)}`, [path]);
}

function stringIssue(data: string, type: string, path: string): Issue {
  if (data === '') return issue('value', `${path}: empty string is not allowed for ${type}; omit the element instead`, [path]);
  if (/^[ \t\n\r]+$/.test(data)) {
    return issue('value', `${path}: the ${type} contains only whitespace; it should have non-whitespace content`, [path], 'warning');
  }
  return issue('value', `${path}: the ${type} contains characters not allowed in FHIR strings (NUL, vertical tab or form feed)`, [path]);
}

function valueIssue(e: ErrorObject, path: string): Issue {
  const schema = (e.parentSchema ?? {}) as Annotated;
  const type = schema.fhirType ?? 'value';
  const data = e.data;
  if (typeof data === 'string' && (type === 'string' || type === 'markdown')) return stringIssue(data, type, path);
  if (data === '') return issue('value', `${path}: empty string is not allowed for ${type}; omit the element instead`, [path]);
  const hint = PRIMITIVES[type]?.hint;
  const value = typeof data === 'string' ? quote(data) : String(data);
  return issue('value', `${path}: ${value} is not a valid ${type}${hint ? `; expected ${hint}` : ''}`, [path]);
}

function enumIssue(e: ErrorObject, path: string): Issue {
  const schema = (e.parentSchema ?? {}) as Annotated;
  if (e.data === '') return issue('value', `${path}: empty string is not allowed for code; omit the element instead`, [path]);
  const codes = ((e.schema as unknown[]) ?? []).filter((c) => c !== null);
  const list = codes.length <= 12 ? `: ${codes.join(' | ')}` : ` (${codes.length} codes)`;
  const vs = schema.fhirValueSet ? ` ${schema.fhirValueSet}` : '';
  return issue('code-invalid', `${path}: ${quote(e.data)} is not a code of the required value set${vs}${list}`, [path]);
}

function ruleIssue(p: RuleErrorParams, path: string): Issue {
  switch (p.rule) {
    case 'required': {
      const target = childPath(path, p.element);
      const card = p.min > 1 ? `at least ${p.min}` : 'it';
      return issue('required', `${target}: missing required element (${p.label} requires ${card})`, [target]);
    }
    case 'minItems': {
      const target = childPath(path, p.element);
      return issue('required', `${target}: at least ${p.min} items are required, found ${p.count}`, [target]);
    }
    case 'choice': {
      const list = p.variants.join(', ');
      return issue(
        'structure',
        `${childPath(path, p.element)}: only one type may be given for a choice element, found ${list}`,
        p.variants.map((v) => childPath(path, v)),
      );
    }
    case 'empty':
      return issue('structure', `${path}: empty element; a FHIR element must have a value or child elements besides its id`, [path]);
    case 'nullItem': {
      const target = `${childPath(path, p.element)}[${p.index}]`;
      return issue('structure', `${target}: null items are only allowed where _${p.element} gives an id or extensions at the same index`, [target]);
    }
    case 'lengthMismatch': {
      const target = childPath(path, p.element);
      const [a, b] = p.lengths;
      return issue('structure', `${target}: ${p.element} has ${a} items and _${p.element} has ${b}; they must have the same length`, [target]);
    }
  }
}

function dispatchIssue(p: DispatchErrorParams, path: string): Issue {
  if ('inner' in p) return issue('structure', `${path}: invalid resource`, [path]);
  switch (p.rule) {
    case 'notObject':
      return issue('structure', `${path}: a resource must be a JSON object`, [path]);
    case 'missingType': {
      const target = childPath(path, 'resourceType');
      return issue('required', `${target}: the resource has no resourceType`, [target]);
    }
    case 'unknownType': {
      const target = childPath(path, 'resourceType');
      return issue('invalid', `${target}: ${quote(p.resourceType)} is not an R4 resource type`, [target]);
    }
  }
}

function unknownElement(path: string, name: string, label: string): Issue {
  const hint = name.startsWith('_') ? ' (a _name sibling is only allowed for a primitive element)' : '';
  const target = childPath(path, name);
  return issue('structure', `${target}: unknown element '${name}' in ${label}${hint}`, [target]);
}

function parentPointer(pointer: string): string {
  return pointer.slice(0, pointer.lastIndexOf('/'));
}

function toIssue(err: ErrorObject, root: string): Issue {
  const e = innerError(err);
  const path = pointerToFhirPath(root, err.instancePath);
  switch (e.keyword) {
    case 'type':
      return typeIssue(e, err.instancePath, path);
    case 'additionalProperties': {
      const name = String((e.params as { additionalProperty: string }).additionalProperty);
      return unknownElement(path, name, (e.parentSchema as Annotated | undefined)?.fhirType ?? 'this element');
    }
    case 'pattern':
    case 'format':
    case 'minimum':
    case 'maximum':
      return valueIssue(e, path);
    case 'enum':
      return enumIssue(e, path);
    case 'const':
      return issue('invalid', `${path}: expected ${quote((e.params as { allowedValue: unknown }).allowedValue)}, found ${describe(e.data)}`, [path]);
    case 'minItems':
      if (Array.isArray(e.data) && e.data.length === 0) {
        return issue('structure', `${path}: empty array is not allowed; omit the element instead`, [path]);
      }
      return issue('required', `${path}: at least ${(e.params as { limit: number }).limit} items are required`, [path]);
    case 'maxItems':
      return issue('structure', `${path}: at most ${(e.params as { limit: number }).limit} items are allowed`, [path]);
    case 'fhirElement':
      return ruleIssue(e.params as RuleErrorParams, path);
    case 'fhirResource':
      return dispatchIssue(e.params as DispatchErrorParams, path);
    case 'fhirChoice': {
      const p = e.params as ChoiceErrorParams;
      if ('inner' in p) return issue('structure', `${path}: invalid value`, [path]);
      return unknownElement(pointerToFhirPath(root, parentPointer(err.instancePath)), p.name, p.label);
    }
    default:
      return issue('structure', `${path}: invalid (${e.keyword})`, [path]);
  }
}

/** Keywords that also fire on a value of the wrong JSON type; the type error says it all. */
const AFTER_TYPE = new Set(['enum', 'const']);

/** Maps ajv errors to issues, dropping duplicates. `root` is the resource type at path ''. */
export function errorsToIssues(errors: readonly ErrorObject[], root: string): Issue[] {
  const typeErrors = new Set<string>();
  for (const err of errors) if (innerError(err).keyword === 'type') typeErrors.add(err.instancePath);
  const seen = new Set<string>();
  const out: Issue[] = [];
  for (const err of errors) {
    if (typeErrors.has(err.instancePath) && AFTER_TYPE.has(innerError(err).keyword)) continue;
    const i = toIssue(err, root);
    const key = `${i.code}|${i.expression?.join(',')}|${i.diagnostics}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(i);
  }
  return out;
}

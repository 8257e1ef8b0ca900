import { errors, FhirError } from '../../core/errors';
import { isResourceType } from '../../fhir/resource-types';
import { orValues } from '../escaping';
import { parseCompositeValue } from './composite';
import type { ParseContext } from './context';
import { commonParameter, searchParameter, targetsOf } from './params';
import { parseSpecialValue, SPECIAL_MODIFIERS } from './special';
import type { Criterion, ParamDef, SpecialCriterion } from './types';
import { Unsupported } from './unsupported';
import { valueType } from './value-types';

/**
 * One search parameter (name and value as written) into a Criterion, against the resource types
 * it applies to. Names: `code[:modifier]`, chains `ref[:Type].name` (any depth), reverse chains
 * `_has:Type:ref:name` (nestable). A name this server does not know or support raises an
 * `Unsupported` (the caller ignores or refuses it); a malformed value raises a 400 FhirError.
 */

export { Unsupported };

const SPECIAL = new Set<string>(['_id', '_lastUpdated', '_text', '_content', '_list']);

function modifierAllowed(param: ParamDef, modifier: string): boolean {
  if (param.type === 'reference' && isResourceType(modifier)) return targetsOf(param).includes(modifier);
  if (param.type === 'composite') return false;
  if (param.phonetic && modifier === 'contains') return false;
  return valueType(param.type)?.modifiers.includes(modifier) ?? false;
}

function splitModifier(name: string): { code: string; modifier?: string } {
  const colon = name.indexOf(':');
  return colon < 0 ? { code: name } : { code: name.slice(0, colon), modifier: name.slice(colon + 1) };
}

function parseHas(name: string, value: string, types: readonly string[], ctx: ParseContext): Criterion {
  const parts = name.split(':');
  const [, sourceType, code] = parts;
  const rest = parts.slice(3).join(':');
  if (!sourceType || !code || !rest) throw new Unsupported(`'${name}' is not a valid _has parameter (expected _has:Type:reference:parameter)`);
  if (!isResourceType(sourceType)) throw new Unsupported(`Unknown resource type '${sourceType}' in '${name}'`);
  const ref = searchParameter(sourceType, code);
  if (ref?.type !== 'reference') throw new Unsupported(`'${code}' is not a reference parameter of ${sourceType} (in '${name}')`);
  if (!types.some((t) => targetsOf(ref).includes(t))) throw new Unsupported(`${sourceType}.${code} cannot refer to ${types.join(', ')} (in '${name}')`);
  return { kind: 'has', name, sourceType, code, base: ctx.baseUrl, inner: parseCriterion(rest, value, [sourceType], ctx) };
}

function parseChain(name: string, dot: number, value: string, types: readonly string[], ctx: ParseContext): Criterion {
  const { code, modifier } = splitModifier(name.slice(0, dot));
  const rest = name.slice(dot + 1);
  const param = commonParameter(types, code);
  if (param?.type !== 'reference') throw new Unsupported(`'${code}' is not a reference parameter, so '${name}' cannot chain`);
  if (modifier !== undefined && !targetsOf(param).includes(modifier)) throw new Unsupported(`'${modifier}' is not a target type of '${code}' (in '${name}')`);
  const targets = modifier !== undefined ? [modifier] : targetsOf(param);
  const innerCode = splitModifier(rest.split('.')[0]!).code;
  const inner: { type: string; criterion: Criterion }[] = [];
  for (const type of targets) {
    if (!innerCode.startsWith('_has') && !SPECIAL.has(innerCode) && !searchParameter(type, innerCode)) continue;
    inner.push({ type, criterion: parseCriterion(rest, value, [type], ctx) });
  }
  if (inner.length === 0) throw new Unsupported(`No target type of '${code}' has a search parameter '${innerCode}' (in '${name}')`);
  return { kind: 'chain', name, code, base: ctx.baseUrl, inner };
}

function parseSpecial(name: string, code: SpecialCriterion['code'], modifier: string | undefined, value: string, ctx: ParseContext): Criterion {
  if (modifier !== undefined && !SPECIAL_MODIFIERS[code].includes(modifier)) throw new Unsupported(`Modifier ':${modifier}' is not supported on '${code}'`);
  const values = orValues(value).map((v) => parseSpecialValue(code, v, name, ctx));
  return { kind: 'special', name, code, ...(modifier ? { modifier } : {}), values, base: ctx.baseUrl };
}

export function parseCriterion(name: string, value: string, types: readonly string[], ctx: ParseContext): Criterion {
  if (value === '') throw new Unsupported(`Parameter '${name}' has no value`);
  if (name.startsWith('_has:')) return parseHas(name, value, types, ctx);
  const dot = name.indexOf('.');
  // A custom parameter's code may contain '.'; a known code wins over a chain.
  const code = splitModifier(name).code;
  if (dot > 0 && !(code.includes('.') && commonParameter(types, code))) return parseChain(name, dot, value, types, ctx);
  const { modifier } = splitModifier(name);
  if (SPECIAL.has(code)) return parseSpecial(name, code as SpecialCriterion['code'], modifier, value, ctx);
  const param = commonParameter(types, code);
  if (!param) throw new Unsupported(`Unknown search parameter '${code}' for ${types.length === 1 ? types[0] : types.join(', ')}`);
  if (param.type === 'special') throw new Unsupported(`Search parameter '${code}' is not supported`);
  if (modifier === 'missing') {
    if (value !== 'true' && value !== 'false') throw errors.badRequest(`'${name}' must be true or false (got '${value}')`);
    return { kind: 'missing', name, param, missing: value === 'true' };
  }
  if (modifier !== undefined && !modifierAllowed(param, modifier)) {
    throw new Unsupported(`Modifier ':${modifier}' is not supported on ${param.type} parameter '${code}'`);
  }
  const values = orValues(value).map((raw) =>
    param.type === 'composite' ? parseCompositeValue(raw, param, name, ctx) : valueType(param.type)!.parse(raw, modifier, param, name, ctx),
  );
  return { kind: 'value', name, param, ...(modifier !== undefined ? { modifier } : {}), values };
}

/** Whether an error thrown by parseCriterion is about support (ignorable) rather than a malformed value. */
export function isUnsupported(e: unknown): e is Unsupported {
  return e instanceof Unsupported && !(e instanceof FhirError);
}

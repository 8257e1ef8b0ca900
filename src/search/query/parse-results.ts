import { errors } from '../../core/errors';
import { isResourceType } from '../../fhir/resource-types';
import { Unsupported } from './parse-criterion';
import { commonParameter, searchParameter, targetsOf } from './params';
import type { IncludeSpec, SortKey, SummaryMode, TotalMode } from './types';

/**
 * The result parameters (search.html#return): _sort, _count, _total, _summary, _elements,
 * _include / _revinclude, _contained. Unsupported choices raise `Unsupported`; malformed values
 * a 400 FhirError.
 */

export function parseSort(value: string, types: readonly string[]): SortKey[] {
  return value.split(',').map((part) => {
    const descending = part.startsWith('-');
    const code = descending ? part.slice(1) : part;
    if (code === '_id' || code === '_lastUpdated') return { code, descending };
    const param = commonParameter(types, code);
    if (!param || param.type === 'composite' || param.type === 'special') throw new Unsupported(`Cannot sort by '${code}'`);
    return { code, descending, param };
  });
}

export function parseCount(value: string, max: number): number {
  if (!/^\d+$/.test(value)) throw errors.badRequest(`_count must be a non-negative integer (got '${value}')`);
  return Math.min(Number(value), max);
}

export function parseTotal(value: string): TotalMode {
  if (value !== 'none' && value !== 'estimate' && value !== 'accurate') {
    throw errors.badRequest(`_total must be none, estimate or accurate (got '${value}')`);
  }
  return value;
}

const SUMMARY_MODES = new Set(['true', 'text', 'data', 'count', 'false']);

export function parseSummary(value: string): SummaryMode {
  if (!SUMMARY_MODES.has(value)) throw errors.badRequest(`_summary must be one of true, text, data, count, false (got '${value}')`);
  return value as SummaryMode;
}

export function parseElements(value: string): string[] {
  return value.split(',').map((v) => v.trim()).filter(Boolean);
}

/** `_contained`: only `false` (the default: contained resources are not searched) is supported. */
export function checkContained(name: string, value: string): void {
  if (name === '_contained' && value === 'false') return;
  throw new Unsupported(`${name}=${value} is not supported (contained resources are not searched)`);
}

/**
 * `_include=Source:param[:Target]`, `_include=*`, `_revinclude=Source:param[:Target]`;
 * `:iterate` (or R3's `:recurse`) on the name. Non-iterating _include must start at a searched type.
 */
export function parseInclude(name: string, value: string, types: readonly string[]): IncludeSpec {
  const [base, modifier] = name.split(':');
  const reverse = base === '_revinclude';
  if (modifier !== undefined && modifier !== 'iterate' && modifier !== 'recurse') throw new Unsupported(`Unknown modifier '${name}'`);
  const iterate = modifier !== undefined;
  if (value === '*') return { sourceType: '*', code: '*', iterate };
  const [sourceType, code, targetType, extra] = value.split(':');
  if (!sourceType || !code || extra !== undefined) throw errors.badRequest(`${base} must be Type:parameter[:targetType] (got '${value}')`);
  if (!isResourceType(sourceType)) throw new Unsupported(`Unknown resource type '${sourceType}' in ${base}=${value}`);
  if (code !== '*') {
    const param = searchParameter(sourceType, code);
    if (param?.type !== 'reference') throw new Unsupported(`'${code}' is not a reference parameter of ${sourceType} (${base}=${value})`);
    if (targetType !== undefined && !targetsOf(param).includes(targetType)) throw new Unsupported(`'${targetType}' is not a target of ${sourceType}:${code}`);
  } else if (targetType !== undefined && !isResourceType(targetType)) {
    throw new Unsupported(`Unknown resource type '${targetType}' in ${base}=${value}`);
  }
  if (!reverse && !iterate && !types.includes(sourceType)) {
    throw new Unsupported(`_include=${value} does not start at a searched type (${types.join(', ')}); use _include:iterate`);
  }
  return { sourceType, code, ...(targetType !== undefined ? { targetType } : {}), iterate };
}

import type { SearchParameter } from '@medplum/fhirtypes';
import { compositeWriter } from './extract/composite';
import { emptyExtractor } from './extract/extractor';
import { compileExpression } from './extract/expression';
import { isResourceTypeName } from './extract/model';
import { normalizerFor } from './extract/normalizers';
import { FhirPathSyntaxError, parseFhirPath, rootName, unionBranches } from './extract/parser';
import type { IndexSink } from './extract/sink';
import { SEARCH_PARAM_TYPES, tableFor, type ComponentDef, type SearchParamDef, type SearchParamType } from './parameter';

/** Splits text at `|` outside parentheses, brackets and quotes. */
export function splitUnion(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/**
 * The part of a (multi-base) expression that applies to `resourceType`: the union branches that
 * start with that type, with `Resource`/`DomainResource`, or with no type at all (relative paths).
 * Undefined when no branch applies.
 */
export function expressionFor(expression: string | undefined, resourceType: string): string | undefined {
  if (!expression) return undefined;
  const pieces = splitUnion(expression);
  let branches;
  try {
    branches = unionBranches(parseFhirPath(expression));
  } catch (e) {
    if (e instanceof FhirPathSyntaxError) return expression;
    throw e;
  }
  if (branches.length !== pieces.length) return expression;
  const kept = pieces.filter((_, i) => {
    const root = rootName(branches[i]!);
    return root === undefined || root === resourceType || root === 'Resource' || root === 'DomainResource' || !isResourceTypeName(root);
  });
  return kept.length > 0 ? kept.join(' | ') : undefined;
}

/**
 * Components whose definition and expression do not match in the published R4 definitions:
 * DocumentReference `relationship` pairs the reference parameter `relatesto` with `code` and the
 * token parameter `relation` with `target`; the expressions are swapped to fit the types.
 */
const COMPONENT_CORRECTIONS: Record<string, (c: ComponentDef[]) => ComponentDef[]> = {
  'http://hl7.org/fhir/SearchParameter/DocumentReference-relationship': (c) =>
    c.length === 2 ? [{ ...c[0]!, expression: c[1]!.expression }, { ...c[1]!, expression: c[0]!.expression }] : c,
};

export function isSearchParamType(t: unknown): t is SearchParamType {
  return SEARCH_PARAM_TYPES.includes(t as SearchParamType);
}

function componentsOf(sp: SearchParameter, lookup: (url: string) => SearchParameter | undefined): ComponentDef[] {
  const components = (sp.component ?? []).map((c): ComponentDef => {
    const target = c.definition ? lookup(c.definition) : undefined;
    return {
      definition: c.definition ?? '',
      code: target?.code ?? '',
      type: target && isSearchParamType(target.type) ? target.type : 'special',
      expression: c.expression ?? '',
    };
  });
  return COMPONENT_CORRECTIONS[sp.url ?? '']?.(components) ?? components;
}

const COLUMNS: Record<string, 'id' | 'last_updated'> = { _id: 'id', _lastUpdated: 'last_updated' };
const noRows = (): void => {};

/** The definition of `sp` for one of its base types (compiling its expression for that type). */
export function buildDefinition(
  sp: SearchParameter,
  resourceType: string,
  source: 'r4' | 'custom',
  lookup: (url: string) => SearchParameter | undefined,
): SearchParamDef {
  const type: SearchParamType = isSearchParamType(sp.type) ? sp.type : 'special';
  const code = sp.code ?? '';
  const expression = type === 'special' ? undefined : expressionFor(sp.expression, resourceType);
  const extract = expression ? compileExpression(expression, resourceType) : emptyExtractor();
  const column = source === 'r4' && (sp.base as string[] | undefined ?? []).includes('Resource') ? COLUMNS[code] : undefined;
  const components = type === 'composite' ? componentsOf(sp, lookup) : undefined;

  let index: (resource: object, sink: IndexSink) => void = noRows;
  if (expression && !column) {
    if (components) {
      index = compositeWriter(code, expression, resourceType, components) ?? noRows;
    } else {
      const normalize = normalizerFor(type, code, sp.xpathUsage === 'phonetic');
      if (normalize) index = (resource, sink) => extract.run(resource, (v, t) => normalize(v, t, sink));
    }
  }

  const def: SearchParamDef = {
    code,
    type,
    url: sp.url ?? '',
    resourceType,
    expression,
    targets: sp.target ?? [],
    phonetic: sp.xpathUsage === 'phonetic',
    table: column || index === noRows ? undefined : tableFor(type),
    source,
    extract,
    index,
  };
  if (components) def.components = components;
  if (column) def.column = column;
  return def;
}

import type { Issue } from '../../core/errors';
import type { SearchParamDef, SearchParamType } from '../parameter';

/**
 * A parsed FHIR search (search.html): what to match, how to order and page it, and what to add
 * to the page. Produced by parse.ts without touching the database; plan.ts turns it into SQL.
 */

export type ParamType = SearchParamType;

export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';

/** A search parameter, as the search parameter registry (../registry.ts) defines it for one type. */
export type ParamDef = SearchParamDef;

/** A value of a parameter, parsed by the module of its type; `V` is that module's value shape. */
export interface ValueCriterion<V = unknown> {
  kind: 'value';
  /** The parameter name as written (for messages). */
  name: string;
  param: ParamDef;
  modifier?: string;
  /** Alternatives (comma OR); any one matching is enough. */
  values: V[];
}

/** `name:missing=true|false`. */
export interface MissingCriterion {
  kind: 'missing';
  name: string;
  param: ParamDef;
  missing: boolean;
}

/** A parameter on the resource row itself: _id, _lastUpdated, _text, _content, _list. */
export interface SpecialCriterion {
  kind: 'special';
  name: string;
  code: '_id' | '_lastUpdated' | '_text' | '_content' | '_list';
  modifier?: string;
  values: unknown[];
  /** The server base, telling local references from others (_list). */
  base: string;
}

/** `ref[:Type].inner=…`: some referenced resource of one of `types` matches `inner`. */
export interface ChainCriterion {
  kind: 'chain';
  name: string;
  /** Code of the reference parameter on the subject. */
  code: string;
  /** The server base: only references to this server are followed. */
  base: string;
  /** The inner criterion for each target type that defines it. */
  inner: { type: string; criterion: Criterion }[];
}

/** `_has:Type:ref:inner=…`: some `Type` resource referring to the subject through `ref` matches `inner`. */
export interface HasCriterion {
  kind: 'has';
  name: string;
  sourceType: string;
  code: string;
  /** The server base: only references to this server count. */
  base: string;
  inner: Criterion;
}

export type Criterion = ValueCriterion | MissingCriterion | SpecialCriterion | ChainCriterion | HasCriterion;

export interface SortKey {
  /** `_id`, `_lastUpdated`, or a parameter code. */
  code: string;
  descending: boolean;
  param?: ParamDef;
}

export interface IncludeSpec {
  /** Source resource type, or '*' for every type. */
  sourceType: string;
  /** Reference parameter code, or '*' for every reference parameter. */
  code: string;
  targetType?: string;
  iterate: boolean;
}

export type TotalMode = 'none' | 'estimate' | 'accurate';
export type SummaryMode = 'true' | 'text' | 'data' | 'count' | 'false';

export interface SearchRequest {
  /** The resource types searched (one for a type search; several or all for a system search). */
  types: string[];
  /** Every criterion must match (repeated parameters AND). */
  criteria: Criterion[];
  sort: SortKey[];
  count: number;
  total?: TotalMode;
  summary?: SummaryMode;
  elements?: string[];
  include: IncludeSpec[];
  revinclude: IncludeSpec[];
  /** Opaque paging cursor (`_page`). */
  cursor?: string;
  /** The query pairs understood and applied, in order, for the `self` link (cursor excluded). */
  applied: [string, string][];
  /** Parameters ignored (lenient handling), each reported in the outcome entry. */
  ignored: Issue[];
}

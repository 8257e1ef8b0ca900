import type { Extractor } from './extract/extractor';
import type { IndexSink, IndexTableName } from './extract/sink';

export type SearchParamType = 'string' | 'token' | 'reference' | 'date' | 'number' | 'quantity' | 'uri' | 'composite' | 'special';

export const SEARCH_PARAM_TYPES: readonly SearchParamType[] = ['string', 'token', 'reference', 'date', 'number', 'quantity', 'uri', 'composite', 'special'];

/** One component of a composite parameter, in SearchParameter.component order. */
export interface ComponentDef {
  /** Canonical URL of the component's own SearchParameter. */
  definition: string;
  /** Code and type of that SearchParameter (its type decides how the component is matched). */
  code: string;
  type: SearchParamType;
  /** FHIRPath relative to each element the composite's expression selects. */
  expression: string;
}

/** A search parameter as it applies to one resource type. */
export interface SearchParamDef {
  code: string;
  type: SearchParamType;
  url: string;
  /** The resource type this definition is for (a parameter with several bases has one per type). */
  resourceType: string;
  /** The FHIRPath expression for this type only (branches of other types removed); undefined for none. */
  expression: string | undefined;
  /** Target resource types of a reference parameter. */
  targets: readonly string[];
  components?: readonly ComponentDef[];
  /** xpathUsage `phonetic`: idx_string.value holds phoneticKey() of each word instead of the folded text. */
  phonetic: boolean;
  /**
   * Set for `_id` and `_lastUpdated`: searched on this column of the `resources` table; no index
   * rows are written for them.
   */
  column?: 'id' | 'last_updated';
  /** The index table holding this parameter's rows (undefined: none, e.g. special parameters). */
  table: IndexTableName | undefined;
  /** Where the definition comes from: the R4 specification or registerSearchParameter(). */
  source: 'r4' | 'custom';
  /** The compiled expression (selects the values that rows are made of). */
  extract: Extractor;
  /** Appends this parameter's rows for `resource` to `sink`. */
  index(resource: object, sink: IndexSink): void;
}

const TABLES: Record<SearchParamType, IndexTableName | undefined> = {
  string: 'idx_string',
  token: 'idx_token',
  reference: 'idx_reference',
  date: 'idx_date',
  number: 'idx_number',
  quantity: 'idx_quantity',
  uri: 'idx_uri',
  composite: 'idx_composite',
  special: undefined,
};

export function tableFor(type: SearchParamType): IndexTableName | undefined {
  return TABLES[type];
}

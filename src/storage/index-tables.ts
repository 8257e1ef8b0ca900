/**
 * Tables derived from a resource's current version (references, search indexes). They are
 * rewritten in the same statement as the resource on every write and emptied when it is deleted.
 * Table and column names come only from this registry, never from input.
 */

export type ColumnType = 'text' | 'numeric' | 'timestamptz' | 'boolean' | 'jsonb';

export interface IndexTable {
  name: string;
  /** Columns after (resource_type, id), with their SQL types (used to cast unnest arrays). */
  columns: readonly { name: string; type: ColumnType }[];
}

const text = (name: string) => ({ name, type: 'text' as const });
const numeric = (name: string) => ({ name, type: 'numeric' as const });
const instant = (name: string) => ({ name, type: 'timestamptz' as const });

/** Column order here is the order of the values in each row of IndexRows. */
export const INDEX_TABLES: readonly IndexTable[] = [
  { name: 'resource_references', columns: [text('target_type'), text('target_id')] },
  { name: 'idx_string', columns: [text('code'), text('value'), text('exact')] },
  { name: 'idx_token', columns: [text('code'), text('system'), text('value'), text('text')] },
  { name: 'idx_reference', columns: [text('code'), text('target_type'), text('target_id'), text('target_url'), text('target_version')] },
  { name: 'idx_date', columns: [text('code'), instant('low'), instant('high')] },
  { name: 'idx_number', columns: [text('code'), numeric('value'), numeric('low'), numeric('high')] },
  { name: 'idx_quantity', columns: [text('code'), text('system'), text('unit'), numeric('value'), numeric('low'), numeric('high')] },
  { name: 'idx_uri', columns: [text('code'), text('value')] },
  { name: 'idx_composite', columns: [text('code'), { name: 'components', type: 'jsonb' as const }] },
];

/** Rows for the index tables of one resource, keyed by table name; each row lists its column values in order. */
export type IndexRows = Partial<Record<string, unknown[][]>>;

/** The search index tables (every index table but resource_references): what a reindex rewrites. */
export const SEARCH_INDEX_TABLES: readonly IndexTable[] = INDEX_TABLES.filter((t) => t.name.startsWith('idx_'));

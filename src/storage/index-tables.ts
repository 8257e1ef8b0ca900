/**
 * Tables derived from a resource's current version (references, search indexes). They are
 * rewritten in the same statement as the resource on every write and emptied when it is deleted.
 * Table and column names come only from this registry, never from input.
 */

export type ColumnType = 'text' | 'numeric' | 'timestamptz' | 'boolean';

export interface IndexTable {
  name: string;
  /** Columns after (resource_type, id), with their SQL types (used to cast unnest arrays). */
  columns: readonly { name: string; type: ColumnType }[];
}

export const INDEX_TABLES: readonly IndexTable[] = [
  {
    name: 'resource_references',
    columns: [
      { name: 'target_type', type: 'text' },
      { name: 'target_id', type: 'text' },
    ],
  },
];

/** Rows for the index tables of one resource, keyed by table name; each row lists its column values in order. */
export type IndexRows = Partial<Record<string, unknown[][]>>;

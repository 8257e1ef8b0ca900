/**
 * Rows extracted from one resource, by index table, in the column order of INDEX_TABLES
 * (src/storage/index-tables.ts), starting with the parameter code.
 */
export interface IndexSink {
  idx_string: unknown[][];
  idx_token: unknown[][];
  idx_reference: unknown[][];
  idx_date: unknown[][];
  idx_number: unknown[][];
  idx_quantity: unknown[][];
  idx_uri: unknown[][];
  idx_composite: unknown[][];
}

export type IndexTableName = keyof IndexSink;

export function newSink(): IndexSink {
  return { idx_string: [], idx_token: [], idx_reference: [], idx_date: [], idx_number: [], idx_quantity: [], idx_uri: [], idx_composite: [] };
}

/** Turns one value selected by a parameter's expression (with its FHIR type) into rows. */
export type Normalizer = (value: unknown, type: string | undefined, sink: IndexSink) => void;

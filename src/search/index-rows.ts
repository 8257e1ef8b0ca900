import type { IndexRows } from '../storage/index-tables';
import { newSink } from './extract/sink';
import { searchParameters } from './registry';

/**
 * The search index rows of a resource: for every search parameter of its type, the rows of the
 * parameter's table (idx_string, idx_token, ...) in the column order of INDEX_TABLES, each
 * starting with the parameter code. `resource_references` is not included (the caller adds it).
 */
export function searchIndexRows(resource: { resourceType: string }): IndexRows {
  const sink = newSink();
  for (const def of searchParameters(resource.resourceType).values()) def.index(resource, sink);
  return sink as unknown as IndexRows;
}

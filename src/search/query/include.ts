import { sql, type Sql } from '../../storage/sql';
import { isLocal } from './local';
import type { IncludeSpec } from './types';

/**
 * Statements for `_include` and `_revinclude` (search.html#include) over idx_reference: the
 * current, non-deleted resources referred to by (or referring to) a set of resources through the
 * named reference parameter (`*`: any), optionally only of one target type; only references to
 * this server (`base`) count.
 */

export interface ResourceKey {
  type: string;
  id: string;
}

const COLUMNS = sql`r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, r.content, ARRAY[]::text[] AS sort_keys`;

function pairs(keys: ResourceKey[]): Sql {
  return sql`SELECT * FROM unnest(${keys.map((k) => k.type)}::text[], ${keys.map((k) => k.id)}::text[])`;
}

/** Resources referred to by `from` (those of the spec's source type) through the spec's parameter. */
export function includeStatement(spec: IncludeSpec, from: ResourceKey[], limit: number, base: string): Sql | undefined {
  const sources = spec.sourceType === '*' ? from : from.filter((k) => k.type === spec.sourceType);
  if (sources.length === 0) return undefined;
  const code = spec.code === '*' ? sql`` : sql` AND x.code = ${spec.code}`;
  const target = spec.targetType ? sql` AND x.target_type = ${spec.targetType}` : sql``;
  return sql`SELECT ${COLUMNS} FROM resources r WHERE NOT r.deleted AND (r.resource_type, r.id) IN (
      SELECT x.target_type, x.target_id FROM idx_reference x
      WHERE (x.resource_type, x.id) IN (${pairs(sources)})${code}${target} AND x.target_id IS NOT NULL AND ${isLocal(sql`x.target_url`, base)})
    ORDER BY r.resource_type, r.id LIMIT ${limit}`;
}

/** Resources of the spec's source type referring to one of `to` through the spec's parameter. */
export function revincludeStatement(spec: IncludeSpec, to: ResourceKey[], limit: number, base: string): Sql | undefined {
  const targets = spec.targetType ? to.filter((k) => k.type === spec.targetType) : to;
  if (targets.length === 0) return undefined;
  const source = spec.sourceType === '*' ? sql`` : sql` AND x.resource_type = ${spec.sourceType}`;
  const code = spec.code === '*' ? sql`` : sql` AND x.code = ${spec.code}`;
  return sql`SELECT ${COLUMNS} FROM resources r WHERE NOT r.deleted AND (r.resource_type, r.id) IN (
      SELECT x.resource_type, x.id FROM idx_reference x
      WHERE (x.target_type, x.target_id) IN (${pairs(targets)})${source}${code} AND ${isLocal(sql`x.target_url`, base)})
    ORDER BY r.resource_type, r.id LIMIT ${limit}`;
}

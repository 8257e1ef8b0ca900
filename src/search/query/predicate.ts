import { ident, join, raw, sql, type Sql } from '../../storage/sql';
import { rowColumns } from './columns';
import { isLocal } from './local';
import { compositeCondition, type CompositeValue } from './composite';
import type { AliasCounter, Subject } from './context';
import { specialPredicate } from './special';
import { tokenNegated } from './token';
import type { Criterion, MissingCriterion, ValueCriterion } from './types';
import { anyOf, valueType } from './value-types';

/**
 * Turns one criterion into a boolean SQL predicate about a subject resource: an EXISTS over the
 * index table of its type (same resource, same parameter code, any one value matching), nested
 * EXISTS over idx_reference for chains and _has. The subject is the searched `resources r` row at
 * the top and the far (chain) or near (_has) end of a reference inside.
 */

function tableOf(c: ValueCriterion | MissingCriterion): string {
  return c.param.type === 'composite' ? 'idx_composite' : valueType(c.param.type)!.table;
}

/** EXISTS (one row of `table` for this subject and code, satisfying `condition(alias)`). */
function indexExists(table: string, subject: Subject, code: string, aliases: AliasCounter, condition?: (t: Sql) => Sql): Sql {
  const t = aliases.next('t');
  const extra = condition ? sql` AND ${condition(t)}` : sql``;
  return sql`EXISTS (SELECT 1 FROM ${ident(table)} ${t} WHERE ${t}.resource_type = ${subject.type} AND ${t}.id = ${subject.id} AND ${t}.code = ${code}${extra})`;
}

function valuePredicate(c: ValueCriterion, subject: Subject, aliases: AliasCounter): Sql {
  const { param, modifier } = c;
  // The extractor writes these as idx_token rows under a derived code (see ../extract/normalize-*.ts).
  if ((param.type === 'token' && modifier === 'of-type') || (param.type === 'reference' && modifier === 'identifier')) {
    const token = valueType(param.type)!;
    return indexExists('idx_token', subject, `${param.code}:${modifier}`, aliases, (t) => anyOf(c.values.map((v) => token.condition(rowColumns(t), v, modifier))));
  }
  if (param.type === 'composite') {
    return indexExists('idx_composite', subject, param.code, aliases, (t) => anyOf((c.values as CompositeValue[]).map((v) => compositeCondition(t, param, v))));
  }
  const type = valueType(param.type)!;
  const exists = indexExists(type.table, subject, param.code, aliases, (t) => anyOf(c.values.map((v) => type.condition(rowColumns(t), v, modifier))));
  return param.type === 'token' && tokenNegated(modifier) ? sql`NOT ${exists}` : exists;
}

export function criterionPredicate(c: Criterion, subject: Subject, aliases: AliasCounter): Sql {
  switch (c.kind) {
    case 'value':
      return valuePredicate(c, subject, aliases);
    case 'missing': {
      const exists = indexExists(tableOf(c), subject, c.param.code, aliases);
      return c.missing ? sql`NOT ${exists}` : exists;
    }
    case 'special':
      return specialPredicate(c, subject, aliases);
    case 'chain': {
      const x = aliases.next('x');
      const branches = c.inner.map(({ type, criterion }) => {
        const target: Subject = { type: sql`${type}`, id: sql`${x}.target_id` };
        return sql`(${x}.target_type = ${type} AND ${criterionPredicate(criterion, target, aliases)})`;
      });
      return sql`EXISTS (SELECT 1 FROM idx_reference ${x} WHERE ${x}.resource_type = ${subject.type} AND ${x}.id = ${subject.id} AND ${x}.code = ${c.code}
        AND ${isLocal(sql`${x}.target_url`, c.base)} AND ${anyOf(branches)})`;
    }
    case 'has': {
      const h = aliases.next('h');
      const source: Subject = { type: sql`${c.sourceType}`, id: sql`${h}.id` };
      return sql`EXISTS (SELECT 1 FROM idx_reference ${h} WHERE ${h}.resource_type = ${c.sourceType} AND ${h}.code = ${c.code}
        AND ${h}.target_type = ${subject.type} AND ${h}.target_id = ${subject.id} AND ${isLocal(sql`${h}.target_url`, c.base)}
        AND ${criterionPredicate(c.inner, source, aliases)})`;
    }
  }
}

/** AND of all criteria about the subject; TRUE when there are none. */
export function criteriaPredicate(criteria: Criterion[], subject: Subject, aliases: AliasCounter): Sql {
  if (criteria.length === 0) return raw('TRUE');
  return join(criteria.map((c) => criterionPredicate(c, subject, aliases)), ' AND ');
}

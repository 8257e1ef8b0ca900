import { errors } from '../../core/errors';
import { join, sql, type Sql } from '../../storage/sql';
import { splitUnescaped } from '../escaping';
import { componentColumns } from './columns';
import type { ParseContext } from './context';
import type { ParamDef } from './types';
import { valueType } from './value-types';

/**
 * Composite parameters (search.html#composite) over idx_composite: `a$b` where each part is a
 * value of the corresponding component parameter (`code-value-quantity=http://loinc.org|8480-6$gt100`).
 * All parts must match the components of the same row, i.e. the same element of the resource.
 */

export interface CompositeValue {
  parts: unknown[];
}

export function parseCompositeValue(raw: string, param: ParamDef, name: string, ctx: ParseContext): CompositeValue {
  const components = param.components ?? [];
  const parts = splitUnescaped(raw, '$');
  if (parts.length !== components.length) {
    throw errors.badRequest(`Parameter '${name}' expects ${components.length} values separated by '$' (got '${raw}')`);
  }
  return {
    parts: parts.map((part, i) => {
      const component = components[i]!;
      const type = valueType(component.type);
      if (!type) throw errors.notSupported(`Parameter '${name}' has a component of unsupported type ${component.type}`);
      return type.parse(part, undefined, param, name, ctx);
    }),
  };
}

/** The condition over one idx_composite row aliased `alias`. */
export function compositeCondition(alias: Sql, param: ParamDef, v: CompositeValue): Sql {
  const components = param.components ?? [];
  const conditions = v.parts.map((part, i) => valueType(components[i]!.type)!.condition(componentColumns(alias, i), part, undefined));
  return sql`(${join(conditions, ' AND ')})`;
}

import { sql, type Sql } from '../../storage/sql';
import type { Columns } from './columns';
import type { ParseContext } from './context';
import { dateCondition, parseDateValue, type DateValue } from './date';
import { numberCondition, parseNumberValue, type NumberValue } from './number';
import { parseQuantityValue, quantityCondition, type QuantityValue } from './quantity';
import { parseReferenceValue, referenceCondition, type ReferenceValue } from './reference';
import { parseStringValue, stringCondition, STRING_MODIFIERS, type StringValue } from './string';
import { parseTokenValue, tokenCondition, TOKEN_MODIFIERS, type TokenValue } from './token';
import type { ParamDef, ParamType } from './types';
import { parseUriValue, uriCondition, URI_MODIFIERS, type UriValue } from './uri';

/**
 * The value-matching half of each parameter type, in one table: its index table, the modifiers
 * it accepts (besides :missing), how one OR alternative is parsed, and the SQL condition for it
 * over the columns of one index value.
 */

export interface ValueType {
  table: string;
  modifiers: readonly string[];
  parse(raw: string, modifier: string | undefined, param: ParamDef, name: string, ctx: ParseContext): unknown;
  condition(col: Columns, value: unknown, modifier: string | undefined): Sql;
}

type IndexedType = Exclude<ParamType, 'composite' | 'special'>;

export const VALUE_TYPES: Record<IndexedType, ValueType> = {
  string: {
    table: 'idx_string',
    modifiers: STRING_MODIFIERS,
    parse: (raw, _m, p, name) => parseStringValue(raw, name, p.phonetic),
    condition: (col, v, m) => stringCondition(col, v as StringValue, m),
  },
  token: {
    table: 'idx_token',
    modifiers: TOKEN_MODIFIERS,
    parse: (raw, m, _p, name) => parseTokenValue(raw, m, name),
    condition: (col, v) => tokenCondition(col, v as TokenValue),
  },
  reference: {
    table: 'idx_reference',
    // Resource type modifiers (:Patient) are accepted as well; see modifierAllowed.
    modifiers: ['identifier', 'above', 'below'],
    parse: (raw, m, _p, name, ctx) => parseReferenceValue(raw, m, name, ctx),
    condition: (col, v) => referenceCondition(col, v as ReferenceValue),
  },
  date: {
    table: 'idx_date',
    modifiers: [],
    parse: (raw, _m, _p, name, ctx) => parseDateValue(raw, ctx, name),
    condition: (col, v) => dateCondition(col('low', 'timestamptz'), col('high', 'timestamptz'), v as DateValue),
  },
  number: {
    table: 'idx_number',
    modifiers: [],
    parse: (raw, _m, _p, name) => parseNumberValue(raw, name),
    condition: (col, v) => numberCondition(col('value', 'numeric'), col('low', 'numeric'), col('high', 'numeric'), v as NumberValue),
  },
  quantity: {
    table: 'idx_quantity',
    modifiers: [],
    parse: (raw, _m, _p, name) => parseQuantityValue(raw, name),
    condition: (col, v) => quantityCondition(col, v as QuantityValue),
  },
  uri: {
    table: 'idx_uri',
    modifiers: URI_MODIFIERS,
    parse: (raw, _m, _p, name) => parseUriValue(raw, name),
    condition: (col, v, m) => uriCondition(col('value'), v as UriValue, m),
  },
};

export function valueType(type: ParamType): ValueType | undefined {
  return (VALUE_TYPES as Record<string, ValueType>)[type];
}

/** OR of the conditions of several alternatives. */
export function anyOf(conditions: Sql[]): Sql {
  if (conditions.length === 1) return conditions[0]!;
  return sql`(${conditions.reduce((acc, c) => sql`${acc} OR ${c}`)})`;
}

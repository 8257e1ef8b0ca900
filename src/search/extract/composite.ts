import { tableFor, type ComponentDef } from '../parameter';
import { compileRoutes, type CompiledRoute } from './compile';
import { compileExpression } from './expression';
import { emptyExtractor, type Extractor } from './extractor';
import { namedType, type TypeCtx } from './model';
import { normalizerFor } from './normalizers';
import { newSink, type IndexSink, type IndexTableName, type Normalizer } from './sink';

/**
 * Rows of a composite parameter (idx_composite: code, components). For each element the
 * composite's expression selects, every component expression is evaluated relative to it and
 * normalized by its component's type; each combination of component values (at most
 * MAX_COMBINATIONS) is one row, `components` being a JSON array (as text) with one object per
 * component, in SearchParameter.component order:
 *   token {system, value} · string {value, exact} · reference {type, id, url, version} ·
 *   date {low, high} · number {value, low, high} · quantity {system, unit, value, low, high} ·
 *   uri {value}
 * with the same values as the component's own index table (numbers as JSON numbers, absent as
 * null). An element lacking a value for some component gives no row.
 */

export const MAX_COMBINATIONS = 64;
const KEY = '#';

const FIELDS: Record<IndexTableName, string[]> = {
  idx_token: ['system', 'value', ''],
  idx_string: ['value', 'exact'],
  idx_reference: ['type', 'id', 'url', 'version'],
  idx_date: ['low', 'high'],
  idx_number: ['value', 'low', 'high'],
  idx_quantity: ['system', 'unit', 'value', 'low', 'high'],
  idx_uri: ['value'],
  idx_composite: [],
};
const NUMERIC: ReadonlySet<string> = new Set(['idx_number', 'idx_quantity']);

/** The JSON object of one component value, from a row of the component's table (without its code). */
function componentJson(table: IndexTableName, row: unknown[]): string {
  const fields = FIELDS[table];
  const parts: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f === '') continue;
    const v = row[i + 1];
    const numeric = NUMERIC.has(table) && (f === 'value' || f === 'low' || f === 'high');
    parts.push(`"${f}":${v === null || v === undefined ? 'null' : numeric ? String(v) : JSON.stringify(v)}`);
  }
  return `{${parts.join(',')}}`;
}

interface Component {
  table: IndexTableName;
  normalize: Normalizer;
  extractorFor(type: TypeCtx | undefined, typeName: string | undefined): Extractor;
}

/**
 * A component, with its expression compiled per owner type (cached by the owner's path). Owners
 * typed only at run time (composites evaluated by `fhirpath`) compile on first use, where a
 * failure selects nothing; statically typed owners are compiled by compositeWriter at once.
 */
function component(def: ComponentDef, resourceType: string): Component | undefined {
  const table = tableFor(def.type);
  const normalize = normalizerFor(def.type, KEY);
  if (!table || !normalize || def.type === 'composite') return undefined;
  const cache = new Map<string, Extractor>();
  const compileFor = (ctx: TypeCtx): Extractor => {
    let e = cache.get(ctx.path);
    if (!e) cache.set(ctx.path, (e = compileExpression(def.expression, resourceType, ctx)));
    return e;
  };
  return {
    table,
    normalize,
    extractorFor(type, typeName) {
      if (type) return compileFor(type);
      try {
        return compileFor(namedType(typeName ?? resourceType));
      } catch {
        const none = emptyExtractor(def.expression);
        cache.set(typeName ?? resourceType, none);
        return none;
      }
    },
  };
}

/** Values (as JSON objects) of one component for one owner element. */
function componentValues(c: Component, owner: unknown, type: TypeCtx | undefined, typeName: string | undefined, resource: object, scratch: IndexSink): string[] {
  const rows = scratch[c.table];
  c.extractorFor(type, typeName).run(resource, (v, t) => c.normalize(v, t, scratch), owner);
  const out: string[] = [];
  for (const row of rows) {
    if (row[0] !== KEY || (c.table === 'idx_token' && row[2] === null)) continue;
    out.push(componentJson(c.table, row));
  }
  for (const k in scratch) scratch[k as IndexTableName].length = 0;
  return out;
}

function combinations(lists: string[][], sink: IndexSink, code: string): void {
  let combos: string[][] = [[]];
  for (const list of lists) {
    const next: string[][] = [];
    for (const prefix of combos) for (const v of list) if (next.length < MAX_COMBINATIONS) next.push([...prefix, v]);
    combos = next;
  }
  for (const c of combos) sink.idx_composite.push([code, `[${c.join(',')}]`]);
}

/** The row writer of a composite parameter, or undefined when a component cannot be indexed. */
export function compositeWriter(code: string, expression: string, resourceType: string, defs: readonly ComponentDef[]): ((resource: object, sink: IndexSink) => void) | undefined {
  const components = defs.map((d) => component(d, resourceType));
  if (components.length === 0 || components.some((c) => c === undefined)) return undefined;
  const comps = components as Component[];
  const routes: CompiledRoute[] = compileRoutes(expression, resourceType) ?? [{ type: undefined, extractor: compileExpression(expression, resourceType) }];
  // Compile now: an expression the `fhirpath` package cannot read throws while the parameter is defined.
  for (const c of comps) for (const r of routes) if (r.type) c.extractorFor(r.type, undefined);
  const scratch = newSink();
  return (resource, sink) => {
    for (const route of routes) {
      route.extractor.run(resource, (owner, typeName) => {
        // Last component first: it is most often the one an element lacks (a value of another type).
        const lists: string[][] = new Array(comps.length);
        for (let i = comps.length - 1; i >= 0; i--) {
          const values = componentValues(comps[i]!, owner, route.type, typeName, resource, scratch);
          if (values.length === 0) return;
          lists[i] = values;
        }
        combinations(lists, sink, code);
      });
    }
  };
}

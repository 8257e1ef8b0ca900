import type { Extractor, Visit } from './extractor';
import { memberRoutes, isResourceSlot, isResourceTypeName, namedType, typeMatches, stripNamespace, type TypeCtx } from './model';
import { FhirPathSyntaxError, parseFhirPath, typeArgument, type Node } from './parser';
import { referencedType } from './reference-target';

/**
 * Compiles the common shapes of search parameter expressions into direct property walks:
 * member paths (choice elements expanded by type), `as`/`.as()`/`.ofType()`, `[n]`, `first()`,
 * `extension('url')`, unions, `%resource`, and `where()` with `=`/`!=` against a literal,
 * `exists()`, `and`/`or`, and `resolve() is Type` (decided from the reference string, see
 * reference-target.ts). Anything else makes compilePath return undefined.
 */

interface RunCtx {
  resource: unknown;
  visit: Visit;
}
type Sink = (value: any, rc: RunCtx) => void;
type Predicate = (value: any, rc: RunCtx) => boolean;

/** One statically typed way through an expression: `wire(next)` is a sink fed with the focus. */
interface Route {
  type: TypeCtx | undefined;
  wire(next: Sink): Sink;
}

class Unsupported extends Error {}

interface Scope {
  /** Type of %resource. */
  resourceType: string;
}

const identity: Route['wire'] = (next) => next;

function property(name: string, next: Sink): Sink {
  return (node, rc) => {
    if (node === null || typeof node !== 'object') return;
    const v = node[name];
    if (v === undefined || v === null) return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (v[i] !== null && v[i] !== undefined) next(v[i], rc);
    } else {
      next(v, rc);
    }
  };
}

function filter(pred: Predicate, next: Sink): Sink {
  return (node, rc) => {
    if (pred(node, rc)) next(node, rc);
  };
}

function then(route: Route, type: TypeCtx | undefined, wire: Route['wire']): Route {
  return { type, wire: (next) => route.wire(wire(next)) };
}

function members(routes: Route[], name: string): Route[] {
  return routes.flatMap((r) => memberRoutes(r.type, name).map((m) => then(r, m.type, (next) => property(m.property, next))));
}

function typeFilter(routes: Route[], wanted: string): Route[] {
  const name = stripNamespace(wanted);
  return routes.flatMap((r): Route[] => {
    if (!r.type) throw new Unsupported(`type test on an untyped value`);
    if (typeMatches(r.type.name, name)) return [r];
    if (isResourceSlot(r.type) && isResourceTypeName(name)) {
      return [then(r, namedType(name), (next) => filter((v) => v?.resourceType === name, next))];
    }
    return [];
  });
}

function indexed(routes: Route[], n: number): Route[] {
  if (routes.length !== 1) throw new Unsupported('index over several types');
  const [r] = routes as [Route];
  return [
    {
      type: r.type,
      wire(next) {
        let seen = 0;
        let picked: unknown;
        const count = r.wire((v) => {
          if (seen++ === n) picked = v;
        });
        return (node, rc) => {
          seen = 0;
          picked = undefined;
          count(node, rc);
          if (picked !== undefined) next(picked, rc);
        };
      },
    },
  ];
}

function literalOf(node: Node): string | number | boolean {
  if (node.kind !== 'literal' || node.value === null) throw new Unsupported('expected a literal');
  return node.value;
}

/** Runs routes on a focus and reports how many values they give and whether the single one equals `lit`. */
function equality(routes: Route[], lit: string | number | boolean, negate: boolean): Predicate {
  let count = 0;
  let equal = false;
  const sinks = routes.map((r) =>
    r.wire((v) => {
      count++;
      equal = v === lit;
    }),
  );
  return (node, rc) => {
    count = 0;
    equal = false;
    for (const s of sinks) s(node, rc);
    if (count === 0) return false;
    if (count > 1) return negate;
    return negate ? !equal : equal;
  };
}

function exists(routes: Route[]): Predicate {
  let found = false;
  const sinks = routes.map((r) => r.wire(() => (found = true)));
  return (node, rc) => {
    found = false;
    for (const s of sinks) s(node, rc);
    return found;
  };
}

function predicate(node: Node, type: TypeCtx | undefined, scope: Scope): Predicate {
  if (node.kind === 'binary' && (node.op === 'and' || node.op === 'or')) {
    const a = predicate(node.left, type, scope);
    const b = predicate(node.right, type, scope);
    return node.op === 'and' ? (v, rc) => a(v, rc) && b(v, rc) : (v, rc) => a(v, rc) || b(v, rc);
  }
  if (node.kind === 'binary' && (node.op === '=' || node.op === '!=')) {
    const [path, lit] = node.right.kind === 'literal' ? [node.left, node.right] : [node.right, node.left];
    return equality(compile(path, [{ type, wire: identity }], scope, false), literalOf(lit), node.op === '!=');
  }
  if (node.kind === 'type' && node.op === 'is' && isResolve(node.target)) {
    const name = stripNamespace(node.type);
    return (v, rc) => referencedType(v, rc.resource) === name;
  }
  if (node.kind === 'invoke' && node.step.kind === 'call' && node.step.name === 'exists' && node.step.args.length === 0) {
    return exists(compile(node.target, [{ type, wire: identity }], scope, false));
  }
  throw new Unsupported(`criterion ${node.kind}`);
}

function isResolve(node: Node): boolean {
  const call = node.kind === 'invoke' && node.target.kind === 'variable' && node.target.name === '$this' ? node.step : node;
  return call.kind === 'call' && call.name === 'resolve' && call.args.length === 0;
}

function call(routes: Route[], node: Extract<Node, { kind: 'call' }>, scope: Scope): Route[] {
  const { name, args } = node;
  if ((name === 'as' || name === 'ofType') && args.length === 1) {
    const t = typeArgument(args[0]);
    if (!t) throw new Unsupported(`${name} argument`);
    return typeFilter(routes, t);
  }
  if (name === 'where' && args.length === 1) {
    return routes.map((r) => {
      const pred = predicate(args[0]!, r.type, scope);
      return then(r, r.type, (next) => filter(pred, next));
    });
  }
  if (name === 'first' && args.length === 0) return indexed(routes, 0);
  if (name === 'extension' && args.length === 1) {
    const url = literalOf(args[0]!);
    return members(routes, 'extension').map((r) => then(r, r.type, (next) => filter((v) => v?.url === url, next)));
  }
  throw new Unsupported(`function ${name}()`);
}

/**
 * Routes of `node` applied to each input route. `first` marks the leftmost term of the whole
 * expression, where a resource type name (`Observation.code`) stands for the resource itself.
 */
function compile(node: Node, input: Route[], scope: Scope, first: boolean): Route[] {
  switch (node.kind) {
    case 'member':
      if (first && input.every((r) => r.type && isResourceTypeName(r.type.name) && typeMatches(r.type.name, node.name))) {
        return input;
      }
      if (first && /^[A-Z]/.test(node.name) && isResourceTypeName(node.name)) return [];
      return members(input, node.name);
    case 'invoke': {
      const target = compile(node.target, input, scope, first);
      if (node.step.kind === 'member') return members(target, node.step.name);
      if (node.step.kind === 'call') return call(target, node.step, scope);
      throw new Unsupported(`invocation of ${node.step.kind}`);
    }
    case 'call':
      return call(input, node, scope);
    case 'index':
      return indexed(compile(node.target, input, scope, first), Number(literalOf(node.index)));
    case 'type':
      if (node.op !== 'as') throw new Unsupported('is');
      return typeFilter(compile(node.target, input, scope, first), node.type);
    case 'binary':
      if (node.op !== '|') throw new Unsupported(`operator ${node.op}`);
      return [...compile(node.left, input, scope, first), ...compile(node.right, input, scope, first)];
    case 'variable':
      if (node.name === '%resource' || node.name === '%rootResource') {
        return [{ type: namedType(scope.resourceType), wire: (next) => (_v, rc) => next(rc.resource, rc) }];
      }
      if (node.name === '$this' || node.name === '%context') return input;
      throw new Unsupported(`variable ${node.name}`);
    default:
      throw new Unsupported(node.kind);
  }
}

/** A compiled route: an extractor for the values of one static type. */
export interface CompiledRoute {
  type: TypeCtx | undefined;
  extractor: Extractor;
}

function extractorOf(expression: string, sinks: Sink[]): Extractor {
  return {
    expression,
    compiled: true,
    run(resource, visit, focus = resource) {
      const rc: RunCtx = { resource, visit };
      for (let i = 0; i < sinks.length; i++) sinks[i]!(focus, rc);
    },
  };
}

function terminal(route: Route): Sink {
  const type = route.type?.name;
  return route.wire((v, rc) => rc.visit(v, type));
}

/** The routes of `expression` with their terminal sinks, or undefined when it is not supported. */
function routesOf(expression: string, resourceType: string, context: TypeCtx): { route: Route; sink: Sink }[] | undefined {
  try {
    const routes = compile(parseFhirPath(expression), [{ type: context, wire: identity }], { resourceType }, true);
    return routes.map((route) => ({ route, sink: terminal(route) }));
  } catch (e) {
    if (e instanceof Unsupported || e instanceof FhirPathSyntaxError) return undefined;
    throw e;
  }
}

/**
 * Compiles `expression` for a focus of type `context` inside a resource of type `resourceType`
 * (the focus is the resource itself when they are the same), or returns undefined when the
 * expression needs the full FHIRPath engine.
 */
export function compilePath(expression: string, resourceType: string, context: TypeCtx = namedType(resourceType)): Extractor | undefined {
  const routes = routesOf(expression, resourceType, context);
  return routes && extractorOf(expression, routes.map((r) => r.sink));
}

/** Like compilePath, but one extractor per static result type (composites compile their components per type). */
export function compileRoutes(expression: string, resourceType: string, context: TypeCtx = namedType(resourceType)): CompiledRoute[] | undefined {
  return routesOf(expression, resourceType, context)?.map((r) => ({ type: r.route.type, extractor: extractorOf(expression, [r.sink]) }));
}

/**
 * JSON Patch (RFC 6902) over JSON Pointers (RFC 6901), as used by the FHIR PATCH interaction
 * with Content-Type application/json-patch+json.
 *
 * The whole patch document is validated before anything is applied; operations are then
 * applied in order to a deep copy of the document, so the input is never mutated and a failing
 * operation leaves no partial result. Malformed patch documents raise 400 'invalid'; operations
 * that cannot be applied (missing target, index out of range, failed `test`) raise 422
 * 'processing'. Diagnostics name the zero-based operation index.
 */

import { errors } from '../core/errors';

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };
type JsonContainer = JsonValue[] | JsonObject;

export type JsonPatchOp = 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';

/** One operation after validation: pointers already decoded into reference tokens. */
interface Operation {
  index: number;
  op: JsonPatchOp;
  path: string;
  pathTokens: string[];
  from?: string;
  fromTokens?: string[];
  value?: JsonValue;
}

const OPS: readonly JsonPatchOp[] = ['add', 'remove', 'replace', 'move', 'copy', 'test'];
const NEEDS_VALUE: ReadonlySet<JsonPatchOp> = new Set(['add', 'replace', 'test']);
const NEEDS_FROM: ReadonlySet<JsonPatchOp> = new Set(['move', 'copy']);

/**
 * Reference tokens that are refused in any pointer: on a plain object they would resolve to,
 * or assign through, Object.prototype instead of an own member.
 */
const FORBIDDEN_TOKENS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Array index syntax of RFC 6901: "0" or a number without leading zeros. */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

const hasOwn = (obj: object, key: string): boolean => Object.prototype.hasOwnProperty.call(obj, key);

/**
 * Applies `patch` (an RFC 6902 patch document) to a deep copy of `document` and returns the
 * patched copy. `document` must consist of JSON values only (it is a parsed resource).
 * Throws FhirError 400 'invalid' for a malformed patch and 422 'processing' for an operation
 * that cannot be applied, including a failed `test`.
 */
export function applyJsonPatch(document: unknown, patch: unknown): unknown {
  const operations = parsePatch(patch);
  let root: JsonValue = cloneDocument(document);
  for (const operation of operations) {
    root = applyOperation(root, operation);
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// Patch document validation (400)

function parsePatch(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) {
    throw errors.badRequest('Patch document must be a JSON array of operations');
  }
  return patch.map((raw, index) => parseOperation(raw, index));
}

function parseOperation(raw: unknown, index: number): Operation {
  const invalid = (message: string) => errors.badRequest(`Patch operation ${index}: ${message}`);

  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid('must be a JSON object');
  }
  const member = (name: string): unknown => (hasOwn(raw, name) ? (raw as Record<string, unknown>)[name] : undefined);

  const op = member('op');
  if (op === undefined) throw invalid("'op' is required");
  if (typeof op !== 'string' || !(OPS as readonly string[]).includes(op)) {
    throw invalid(`'op' must be one of ${OPS.join(', ')}`);
  }
  const kind = op as JsonPatchOp;

  const path = member('path');
  if (path === undefined) throw invalid("'path' is required");
  if (typeof path !== 'string') throw invalid("'path' must be a string");
  const pathTokens = parsePointer(path, 'path', invalid);

  const operation: Operation = { index, op: kind, path, pathTokens };

  if (NEEDS_FROM.has(kind)) {
    const from = member('from');
    if (from === undefined) throw invalid(`'from' is required for '${kind}'`);
    if (typeof from !== 'string') throw invalid("'from' must be a string");
    const fromTokens = parsePointer(from, 'from', invalid);
    if (kind === 'move' && isProperPrefix(fromTokens, pathTokens)) {
      throw invalid(`cannot move '${from}' into its own child '${path}'`);
    }
    operation.from = from;
    operation.fromTokens = fromTokens;
  }

  if (NEEDS_VALUE.has(kind)) {
    const value = member('value');
    if (value === undefined) throw invalid(`'value' is required for '${kind}'`);
    const problem = findNonJson(value, false);
    if (problem !== undefined) throw invalid(`'value' is not valid JSON: ${problem}`);
    operation.value = value as JsonValue;
  }

  return operation;
}

/** Decodes an RFC 6901 JSON Pointer into its reference tokens ("" is the whole document). */
function parsePointer(pointer: string, member: 'path' | 'from', invalid: (message: string) => Error): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) {
    throw invalid(`'${member}' must be a JSON Pointer starting with '/' (got '${pointer}')`);
  }
  const tokens = pointer.slice(1).split('/');
  for (const token of tokens) {
    if (/~(?![01])/.test(token)) {
      throw invalid(`'${member}' contains an invalid escape ('~' must be followed by 0 or 1): '${pointer}'`);
    }
  }
  const decoded = tokens.map((token) => token.replace(/~[01]/g, (escape) => (escape === '~0' ? '~' : '/')));
  for (const token of decoded) {
    if (FORBIDDEN_TOKENS.has(token)) {
      throw invalid(`'${member}' must not contain the segment '${token}'`);
    }
  }
  return decoded;
}

function isProperPrefix(prefix: string[], tokens: string[]): boolean {
  return prefix.length < tokens.length && prefix.every((token, i) => token === tokens[i]);
}

/**
 * Returns a description of the first non-JSON part of `value` (undefined when it is all JSON):
 * functions, symbols, bigints, undefined, non-finite numbers, class instances, excessive nesting
 * and, when `allowProtoKey` is false, `__proto__` member names, which would replace an object's
 * prototype if a consumer ever assigned them by ordinary property assignment.
 */
function findNonJson(value: unknown, allowProtoKey: boolean, depth = 0): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `non-finite number ${value}`;
  if (depth > MAX_DEPTH) return `nested more than ${MAX_DEPTH} levels deep`;
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = findNonJson(item, allowProtoKey, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      if (key === '__proto__' && !allowProtoKey) return "member name '__proto__' is not allowed";
      const problem = findNonJson(value[key], allowProtoKey, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  return `unsupported ${typeof value} value`;
}

/** Nesting limit for patch values, keeping the recursive copy and comparison off the stack limit. */
const MAX_DEPTH = 1000;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// ---------------------------------------------------------------------------------------------
// Application (422)

/** Applies one operation to `root` (which it may modify in place) and returns the new root. */
function applyOperation(root: JsonValue, operation: Operation): JsonValue {
  const { op, pathTokens } = operation;
  switch (op) {
    case 'add':
      return add(root, pathTokens, cloneJson(operation.value as JsonValue), operation);
    case 'remove':
      remove(root, pathTokens, operation);
      return root;
    case 'replace':
      return replace(root, pathTokens, cloneJson(operation.value as JsonValue), operation);
    case 'move': {
      const fromTokens = operation.fromTokens as string[];
      const value = get(root, fromTokens, operation, 'from');
      if (samePointer(fromTokens, pathTokens)) return root;
      remove(root, fromTokens, operation, 'from');
      return add(root, pathTokens, value, operation);
    }
    case 'copy': {
      const value = get(root, operation.fromTokens as string[], operation, 'from');
      return add(root, pathTokens, cloneJson(value), operation);
    }
    case 'test': {
      const actual = get(root, pathTokens, operation);
      if (!jsonEqual(actual, operation.value as JsonValue)) {
        throw unprocessable(operation, `test failed: the value at '${operation.path}' is not equal to the given value`);
      }
      return root;
    }
  }
}

function unprocessable(operation: Operation, message: string): Error {
  const where =
    operation.from !== undefined
      ? `${operation.op} from '${operation.from}' to '${operation.path}'`
      : `${operation.op} at '${operation.path}'`;
  return errors.unprocessable(`Patch operation ${operation.index} (${where}): ${message}`);
}

function encodePointer(tokens: string[]): string {
  return tokens.map((token) => '/' + token.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function samePointer(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((token, i) => token === b[i]);
}

function isContainer(value: JsonValue | undefined): value is JsonContainer {
  return typeof value === 'object' && value !== null;
}

/** The member or element `token` of `container`, or undefined when there is none. */
function child(container: JsonContainer, token: string): JsonValue | undefined {
  if (Array.isArray(container)) {
    if (!ARRAY_INDEX.test(token)) return undefined;
    const index = Number(token);
    return index < container.length ? container[index] : undefined;
  }
  return hasOwn(container, token) ? container[token] : undefined;
}

/** Resolves `tokens` against `root`; a location that does not exist is a 422. */
function get(root: JsonValue, tokens: string[], operation: Operation, member: 'path' | 'from' = 'path'): JsonValue {
  let current: JsonValue = root;
  for (let i = 0; i < tokens.length; i++) {
    const next = isContainer(current) ? child(current, tokens[i] as string) : undefined;
    if (next === undefined) {
      throw unprocessable(operation, `'${member}' location '${encodePointer(tokens.slice(0, i + 1))}' does not exist`);
    }
    current = next;
  }
  return current;
}

/** Resolves the container holding the last token of `tokens` (which must not be empty). */
function parentOf(root: JsonValue, tokens: string[], operation: Operation, member: 'path' | 'from'): JsonContainer {
  const parentTokens = tokens.slice(0, -1);
  const parent = get(root, parentTokens, operation, member);
  if (!isContainer(parent)) {
    const where = parentTokens.length === 0 ? 'the document root' : `'${encodePointer(parentTokens)}'`;
    throw unprocessable(operation, `${where} is not an object or array`);
  }
  return parent;
}

/** Checks an array index token for an operation on an existing element (not for insertion). */
function existingIndex(array: JsonValue[], token: string, operation: Operation, tokens: string[], member: 'path' | 'from'): number {
  if (ARRAY_INDEX.test(token)) {
    const index = Number(token);
    if (index < array.length) return index;
    throw unprocessable(
      operation,
      `index ${token} in '${member}' location '${encodePointer(tokens)}' is out of range for an array of length ${array.length}`,
    );
  }
  throw unprocessable(operation, `'${member}' location '${encodePointer(tokens)}' is not a valid array element`);
}

function add(root: JsonValue, tokens: string[], value: JsonValue, operation: Operation): JsonValue {
  if (tokens.length === 0) return value;
  const parent = parentOf(root, tokens, operation, 'path');
  const token = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) {
    if (token === '-') {
      parent.push(value);
    } else if (ARRAY_INDEX.test(token) && Number(token) <= parent.length) {
      parent.splice(Number(token), 0, value);
    } else if (ARRAY_INDEX.test(token)) {
      throw unprocessable(
        operation,
        `index ${token} in 'path' location '${encodePointer(tokens)}' is out of range for an array of length ${parent.length}`,
      );
    } else {
      throw unprocessable(operation, `'path' location '${encodePointer(tokens)}' is not a valid array index`);
    }
  } else {
    setMember(parent, token, value);
  }
  return root;
}

function remove(root: JsonValue, tokens: string[], operation: Operation, member: 'path' | 'from' = 'path'): void {
  if (tokens.length === 0) throw unprocessable(operation, 'the document root cannot be removed');
  const parent = parentOf(root, tokens, operation, member);
  const token = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) {
    parent.splice(existingIndex(parent, token, operation, tokens, member), 1);
  } else if (hasOwn(parent, token)) {
    delete parent[token];
  } else {
    throw unprocessable(operation, `'${member}' location '${encodePointer(tokens)}' does not exist`);
  }
}

function replace(root: JsonValue, tokens: string[], value: JsonValue, operation: Operation): JsonValue {
  if (tokens.length === 0) return value;
  const parent = parentOf(root, tokens, operation, 'path');
  const token = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) {
    parent[existingIndex(parent, token, operation, tokens, 'path')] = value;
  } else if (hasOwn(parent, token)) {
    setMember(parent, token, value);
  } else {
    throw unprocessable(operation, `'path' location '${encodePointer(tokens)}' does not exist`);
  }
  return root;
}

/** Sets an own data property without invoking any inherited setter. */
function setMember(target: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

// ---------------------------------------------------------------------------------------------
// JSON values

/** Deep copy of the input document; anything other than JSON data in it is a programming error. */
function cloneDocument(document: unknown): JsonValue {
  const problem = findNonJson(document, true);
  if (problem !== undefined) throw new TypeError(`applyJsonPatch: document is not JSON data: ${problem}`);
  return cloneJson(document as JsonValue);
}

function cloneJson(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (value !== null && typeof value === 'object') {
    const copy: JsonObject = {};
    for (const key of Object.keys(value)) setMember(copy, key, cloneJson(value[key] as JsonValue));
    return copy;
  }
  return value;
}

/** Structural equality of RFC 6902 `test`: same type, arrays in order, objects regardless of member order. */
function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i] as JsonValue));
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => hasOwn(b, key) && jsonEqual(a[key] as JsonValue, b[key] as JsonValue));
}

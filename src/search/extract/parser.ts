/**
 * A parser for FHIRPath expressions into a small AST, used to decide whether an expression can be
 * compiled into direct property walks (see compile.ts). It reads the whole FHIRPath operator
 * grammar; the compiler then accepts only the constructs it knows. Syntax it cannot read throws
 * a FhirPathSyntaxError, after which the caller uses the `fhirpath` package instead.
 */

export type Node =
  | { kind: 'member'; name: string }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'invoke'; target: Node; step: Node }
  | { kind: 'index'; target: Node; index: Node }
  | { kind: 'type'; op: 'as' | 'is'; target: Node; type: string }
  | { kind: 'binary'; op: string; left: Node; right: Node }
  | { kind: 'unary'; op: string; operand: Node }
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'variable'; name: string };

export class FhirPathSyntaxError extends Error {}

interface Token {
  t: 'id' | 'str' | 'num' | 'sym' | 'var' | 'end';
  v: string;
}

const SYMBOLS = ['<=', '>=', '!=', '!~', '{}', '.', '(', ')', '[', ']', ',', '|', '=', '~', '<', '>', '&', '+', '-', '*', '/'];
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f', '\\': '\\', "'": "'", '"': '"', '`': '`', '/': '/' };

function quoted(src: string, start: number, quote: string): [string, number] {
  let out = '';
  let i = start + 1;
  while (i < src.length && src[i] !== quote) {
    if (src[i] === '\\') {
      const c = src[i + 1] ?? '';
      if (c === 'u') {
        out += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      out += ESCAPES[c] ?? c;
      i += 2;
      continue;
    }
    out += src[i];
    i++;
  }
  if (i >= src.length) throw new FhirPathSyntaxError(`unterminated ${quote} at ${start}`);
  return [out, i + 1];
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '/' && (src[i + 1] === '/' || src[i + 1] === '*')) {
      const end = src[i + 1] === '/' ? src.indexOf('\n', i) : src.indexOf('*/', i) + 1;
      i = end <= 0 ? src.length : end + 1;
    } else if (c === "'") {
      const [v, next] = quoted(src, i, "'");
      tokens.push({ t: 'str', v });
      i = next;
    } else if (c === '`') {
      const [v, next] = quoted(src, i, '`');
      tokens.push({ t: 'id', v });
      i = next;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(src.slice(i))!;
      tokens.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      tokens.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else if (c === '%' || c === '$') {
      if (src[i + 1] === "'" || src[i + 1] === '`') {
        const [v, next] = quoted(src, i + 1, src[i + 1]!);
        tokens.push({ t: 'var', v: c + v });
        i = next;
      } else {
        const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i + 1));
        if (!m) throw new FhirPathSyntaxError(`bad variable at ${i}`);
        tokens.push({ t: 'var', v: c + m[0] });
        i += 1 + m[0].length;
      }
    } else {
      const sym = SYMBOLS.find((s) => src.startsWith(s, i));
      if (!sym) throw new FhirPathSyntaxError(`unexpected '${c}' at ${i}`);
      tokens.push({ t: 'sym', v: sym });
      i += sym.length;
    }
  }
  tokens.push({ t: 'end', v: '' });
  return tokens;
}

/** Binary operator levels, lowest precedence first; each level is left-associative. */
const LEVELS: { ops: string[]; word: boolean }[] = [
  { ops: ['implies'], word: true },
  { ops: ['or', 'xor'], word: true },
  { ops: ['and'], word: true },
  { ops: ['in', 'contains'], word: true },
  { ops: ['=', '!=', '~', '!~'], word: false },
  { ops: ['<', '>', '<=', '>='], word: false },
  { ops: ['|'], word: false },
];
const TYPE_LEVEL = LEVELS.length;
const ADDITIVE = [['+', '-', '&'], ['*', '/', 'div', 'mod']];

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos]!;
  }
  private next(): Token {
    return this.tokens[this.pos++]!;
  }
  private isSym(v: string): boolean {
    const t = this.peek();
    return t.t === 'sym' && t.v === v;
  }
  private expect(v: string): void {
    const t = this.next();
    if (t.t !== 'sym' || t.v !== v) throw new FhirPathSyntaxError(`expected '${v}', got '${t.v}'`);
  }

  parseAll(): Node {
    const node = this.expression();
    if (this.peek().t !== 'end') throw new FhirPathSyntaxError(`unexpected '${this.peek().v}'`);
    return node;
  }

  expression(level = 0): Node {
    if (level === TYPE_LEVEL) return this.typeExpression();
    let left = this.expression(level + 1);
    const { ops, word } = LEVELS[level]!;
    for (;;) {
      const t = this.peek();
      if (!ops.includes(t.v) || (word ? t.t !== 'id' : t.t !== 'sym')) return left;
      this.next();
      left = { kind: 'binary', op: t.v, left, right: this.expression(level + 1) };
    }
  }

  private typeExpression(): Node {
    let node = this.arithmetic(0);
    while (this.peek().t === 'id' && (this.peek().v === 'is' || this.peek().v === 'as')) {
      const op = this.next().v as 'is' | 'as';
      node = { kind: 'type', op, target: node, type: this.typeSpecifier() };
    }
    return node;
  }

  private typeSpecifier(): string {
    let name = this.identifier();
    while (this.isSym('.')) {
      this.next();
      name += `.${this.identifier()}`;
    }
    return name;
  }

  private identifier(): string {
    const t = this.next();
    if (t.t !== 'id') throw new FhirPathSyntaxError(`expected an identifier, got '${t.v}'`);
    return t.v;
  }

  private arithmetic(level: number): Node {
    if (level === ADDITIVE.length) return this.unary();
    let left = this.arithmetic(level + 1);
    for (;;) {
      const t = this.peek();
      if (!ADDITIVE[level]!.includes(t.v) || t.t === 'str' || t.t === 'num') return left;
      this.next();
      left = { kind: 'binary', op: t.v, left, right: this.arithmetic(level + 1) };
    }
  }

  private unary(): Node {
    if (this.isSym('-') || this.isSym('+')) {
      const op = this.next().v;
      return { kind: 'unary', op, operand: this.unary() };
    }
    return this.postfix();
  }

  private postfix(): Node {
    let node = this.term();
    for (;;) {
      if (this.isSym('.')) {
        this.next();
        node = { kind: 'invoke', target: node, step: this.invocation() };
      } else if (this.isSym('[')) {
        this.next();
        const index = this.expression();
        this.expect(']');
        node = { kind: 'index', target: node, index };
      } else {
        return node;
      }
    }
  }

  private term(): Node {
    const t = this.peek();
    if (t.t === 'str') {
      this.next();
      return { kind: 'literal', value: t.v };
    }
    if (t.t === 'num') {
      this.next();
      return { kind: 'literal', value: Number(t.v) };
    }
    if (t.t === 'var') {
      this.next();
      return { kind: 'variable', name: t.v };
    }
    if (t.t === 'id' && (t.v === 'true' || t.v === 'false')) {
      this.next();
      return { kind: 'literal', value: t.v === 'true' };
    }
    if (this.isSym('{}')) {
      this.next();
      return { kind: 'literal', value: null };
    }
    if (this.isSym('(')) {
      this.next();
      const inner = this.expression();
      this.expect(')');
      return inner;
    }
    return this.invocation();
  }

  private invocation(): Node {
    const name = this.identifier();
    if (!this.isSym('(')) return { kind: 'member', name };
    this.next();
    const args: Node[] = [];
    while (!this.isSym(')')) {
      args.push(this.expression());
      if (!this.isSym(')')) this.expect(',');
    }
    this.next();
    return { kind: 'call', name, args };
  }
}

/** Parses a FHIRPath expression; throws FhirPathSyntaxError when it cannot. */
export function parseFhirPath(expression: string): Node {
  return new Parser(tokenize(expression)).parseAll();
}

/** The top-level branches of a union (`a | b | c` → [a, b, c]); any other node is one branch. */
export function unionBranches(node: Node): Node[] {
  if (node.kind === 'binary' && node.op === '|') return [...unionBranches(node.left), ...unionBranches(node.right)];
  return [node];
}

/** The identifier a path starts with (`(Observation.value as Quantity)` → Observation), if any. */
export function rootName(node: Node): string | undefined {
  switch (node.kind) {
    case 'member':
      return node.name;
    case 'invoke':
    case 'index':
    case 'type':
      return rootName(node.target);
    default:
      return undefined;
  }
}

/** A type name given as an argument (`ofType(Patient)`, `as(FHIR.Quantity)`), if the node is one. */
export function typeArgument(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if (node.kind === 'member') return node.name;
  if (node.kind === 'invoke' && node.target.kind === 'member' && node.step.kind === 'member') {
    return `${node.target.name}.${node.step.name}`;
  }
  return undefined;
}

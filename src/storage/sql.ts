/**
 * A tiny SQL builder. Every interpolated value becomes a bound parameter ($1..$n); nested
 * fragments are inlined and their parameters renumbered. SQL text only ever comes from
 * template literals in the source code, `raw()` (trusted constants) or `ident()` (quoted).
 *
 *   const q = sql`SELECT * FROM resources r WHERE r.id = ${id} AND ${where}`;
 *   q.text   // 'SELECT * FROM resources r WHERE r.id = $1 AND r.deleted = $2'
 *   q.values // [id, false]
 */

/** A SQL statement or fragment: literal text chunks interleaved with bound values. */
export class Sql {
  /** Text chunks; always one more than `params`. */
  private readonly chunks: readonly string[];
  private readonly params: readonly unknown[];
  private rendered: string | undefined;
  /** Whether the driver may prepare this statement server-side and reuse the plan. */
  readonly prepare: boolean = false;

  constructor(strings: readonly string[], values: readonly unknown[]) {
    if (strings.length !== values.length + 1) {
      throw new Error('Sql: expected one more text chunk than values');
    }
    const chunks: string[] = [strings[0]!];
    const params: unknown[] = [];
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value instanceof Sql) {
        // Inline the fragment: glue its first/last chunks onto ours, adopt its params.
        chunks[chunks.length - 1] += value.chunks[0]!;
        for (let j = 0; j < value.params.length; j++) {
          params.push(value.params[j]);
          chunks.push(value.chunks[j + 1]!);
        }
        chunks[chunks.length - 1] += strings[i + 1]!;
      } else {
        params.push(value === undefined ? null : value);
        chunks.push(strings[i + 1]!);
      }
    }
    this.chunks = chunks;
    this.params = params;
  }

  /** The statement text with $1..$n placeholders. */
  get text(): string {
    if (this.rendered === undefined) {
      let out = this.chunks[0]!;
      for (let i = 1; i < this.chunks.length; i++) out += '$' + i + this.chunks[i]!;
      this.rendered = out;
    }
    return this.rendered;
  }

  /** The bound values, in placeholder order. */
  get values(): unknown[] {
    return [...this.params];
  }

  /** A copy flagged for server-side preparation; see `prepared()`. */
  asPrepared(): Sql {
    const copy = new Sql(this.chunks, this.params);
    (copy as { prepare: boolean }).prepare = true;
    return copy;
  }

  /** True when the fragment holds no text and no values (e.g. `empty`). */
  get isEmpty(): boolean {
    return this.params.length === 0 && this.chunks[0]!.trim() === '';
  }
}

/**
 * Tagged template: `sql\`... ${value} ...\``. Values are bound parameters (undefined binds as
 * NULL; arrays bind as one array parameter); `Sql` values are inlined as fragments.
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  return new Sql(strings, values);
}

/**
 * Trusted SQL text, inserted verbatim. Only for constants in the source code and identifiers
 * taken from the definitions registry — NEVER for anything derived from user input.
 */
export function raw(trustedText: string): Sql {
  return new Sql([trustedText], []);
}

/** A double-quoted identifier (any embedded quote doubled), safe for any name. */
export function ident(name: string): Sql {
  if (name.includes('\u0000')) throw new Error('Sql: identifier contains NUL');
  return raw('"' + name.replace(/"/g, '""') + '"');
}

/**
 * Marks a hot statement for server-side preparation: PostgreSQL parses and plans it once per
 * connection and reuses that for every later call with the same text. Only for statements
 * whose text comes from a small fixed set (each distinct text stays prepared on every
 * connection); never for dynamically assembled search SQL.
 */
export function prepared(q: Sql): Sql {
  return q.asPrepared();
}

/** The empty fragment. */
export const empty: Sql = raw('');

/**
 * Joins fragments with a separator. A string separator is trusted text (a constant such as
 * ', ' or ' AND '), never user input.
 */
export function join(fragments: readonly Sql[], separator: Sql | string = ', '): Sql {
  if (fragments.length === 0) return empty;
  const sep = typeof separator === 'string' ? raw(separator) : separator;
  const strings: string[] = [''];
  const values: Sql[] = [];
  fragments.forEach((fragment, i) => {
    if (i > 0) {
      values.push(sep);
      strings.push('');
    }
    values.push(fragment);
    strings.push('');
  });
  return new Sql(strings, values);
}

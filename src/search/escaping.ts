/**
 * FHIR search value escaping (search.html#escaping): `\,` `\$` `\|` and `\\` stand for the
 * literal characters; unescaped ones are separators.
 */

/** Splits on an unescaped separator, keeping escapes in the parts. */
export function splitUnescaped(value: string, separator: ',' | '|' | '$'): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '\\' && i + 1 < value.length) {
      current += ch + value[i + 1];
      i++;
    } else if (ch === separator) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/** Removes escapes: `\x` becomes `x`. */
export function unescape(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

/** Splits an OR list (comma-separated) and unescapes nothing yet: callers split further. */
export function orValues(value: string): string[] {
  return splitUnescaped(value, ',');
}

export interface TokenValue {
  /** undefined: any system; null: no system (`|code`); string: that system. */
  system: string | null | undefined;
  /** undefined for `system|` (any code in the system). */
  code: string | undefined;
}

export function parseToken(value: string): TokenValue {
  const parts = splitUnescaped(value, '|');
  if (parts.length === 1) return { system: undefined, code: unescape(parts[0]) };
  const system = parts[0] === '' ? null : unescape(parts[0]);
  const code = parts.slice(1).join('|');
  return { system, code: code === '' ? undefined : unescape(code) };
}

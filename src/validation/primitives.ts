import type { SchemaObject } from 'ajv';

/**
 * JSON Schemas of the R4 primitive types. The regular expressions are the R4 ones (from the
 * primitive StructureDefinitions), anchored, with `\s`/`\S` spelled out as Java's ASCII
 * whitespace class so that they accept what the reference implementation accepts (JavaScript's
 * `\s` also matches no-break and other Unicode spaces). They are written so that they never
 * backtrack heavily on long values.
 */

export type JsonKind = 'string' | 'boolean' | 'number' | 'integer';

export interface PrimitiveSpec {
  json: JsonKind;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  /** What a valid value looks like, for diagnostics. */
  hint: string;
}

// NUL is listed with the whitespace: it can never be stored (PostgreSQL text and jsonb refuse it).
const WS = ' \\t\\n\\r\\x0B\\f\\x00';
const YEAR = '([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)';
const MONTH = '(0[1-9]|1[0-2])';
const DAY = '(0[1-9]|[1-2][0-9]|3[0-1])';
const TIME = '([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?';
const ZONE = '(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))';
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

const URI: PrimitiveSpec = { json: 'string', pattern: `^[^${WS}]+$`, hint: 'a URI without whitespace' };
const STRING: PrimitiveSpec = {
  json: 'string',
  pattern: '^[ \\t\\n\\r]*[^' + WS + '][^\\x0B\\f\\x00]*$',
  hint: 'a non-empty string without NUL, vertical tab or form feed characters',
};

export const PRIMITIVES: Readonly<Record<string, PrimitiveSpec>> = {
  boolean: { json: 'boolean', hint: 'true or false (a JSON boolean)' },
  integer: { json: 'integer', minimum: INT32_MIN, maximum: INT32_MAX, hint: `an integer from ${INT32_MIN} to ${INT32_MAX}` },
  positiveInt: { json: 'integer', minimum: 1, maximum: INT32_MAX, hint: `an integer from 1 to ${INT32_MAX}` },
  unsignedInt: { json: 'integer', minimum: 0, maximum: INT32_MAX, hint: `an integer from 0 to ${INT32_MAX}` },
  decimal: { json: 'number', hint: 'a JSON number' },
  string: STRING,
  markdown: STRING,
  code: {
    json: 'string',
    pattern: `^[^${WS}]+([${WS}][^${WS}]+)*$`,
    hint: 'a code: no leading or trailing whitespace, single spaces between words',
  },
  id: { json: 'string', pattern: '^[A-Za-z0-9\\-.]{1,64}$', hint: "1 to 64 characters from A-Z, a-z, 0-9, '-' and '.'" },
  uri: URI,
  url: URI,
  canonical: URI,
  oid: { json: 'string', pattern: '^urn:oid:[0-2](\\.(0|[1-9][0-9]*))+$', hint: 'an OID URI such as urn:oid:1.2.3.4' },
  uuid: {
    json: 'string',
    pattern: '^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
    hint: 'a UUID URI in lower case, such as urn:uuid:c757873d-ec9a-4326-a141-556f43239520',
  },
  date: { json: 'string', pattern: `^${YEAR}(-${MONTH}(-${DAY})?)?$`, format: 'fhir-calendar', hint: 'YYYY, YYYY-MM or YYYY-MM-DD, a real calendar date' },
  dateTime: {
    json: 'string',
    pattern: `^${YEAR}(-${MONTH}(-${DAY}(T${TIME}${ZONE})?)?)?$`,
    format: 'fhir-calendar',
    hint: 'YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.fff]+zz:zz (a time needs seconds and a timezone)',
  },
  instant: {
    json: 'string',
    pattern: `^${YEAR}-${MONTH}-${DAY}T${TIME}${ZONE}$`,
    format: 'fhir-calendar',
    hint: 'YYYY-MM-DDThh:mm:ss[.fff] followed by Z or +hh:mm / -hh:mm',
  },
  time: { json: 'string', pattern: `^${TIME}$`, hint: 'hh:mm:ss[.fff]' },
  base64Binary: { json: 'string', format: 'fhir-base64', hint: 'base64-encoded data' },
  xhtml: { json: 'string', pattern: '^[ \\t\\n\\r]*<div[ \\t\\n\\r>/]', hint: 'an XHTML <div> element' },
};

export function isPrimitiveType(code: string): boolean {
  return Object.prototype.hasOwnProperty.call(PRIMITIVES, code);
}

/** Checks base64 content: the base64 alphabet (whitespace ignored), in groups of four. */
export function isBase64(value: string): boolean {
  let count = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) continue;
    const ok =
      (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 61;
    if (!ok) return false;
    count++;
  }
  return count > 0 && count % 4 === 0;
}

/** True unless the value names a day its month does not have (2021-02-29, 2020-04-31). */
export function isCalendarDay(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) return true;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

export interface PrimitiveOptions {
  /** Inside an array that has a `_name` sibling, an item may be null. */
  nullable?: boolean;
  /** Codes of a required, enumerable binding. */
  codes?: readonly string[];
  valueSet?: string;
}

/** The schema of one primitive value. `fhirType` (and `fhirValueSet`) annotate it for diagnostics. */
export function primitiveSchema(code: string, opts: PrimitiveOptions = {}): SchemaObject {
  const spec = PRIMITIVES[code];
  if (!spec) throw new Error(`Not a primitive type: ${code}`);
  const schema: SchemaObject = { type: opts.nullable ? [spec.json, 'null'] : spec.json, fhirType: code };
  if (opts.codes) {
    schema.enum = opts.nullable ? [...opts.codes, null] : [...opts.codes];
    schema.fhirValueSet = opts.valueSet;
  } else if (spec.pattern) {
    schema.pattern = spec.pattern;
  }
  if (spec.format) schema.format = spec.format;
  if (spec.minimum !== undefined) schema.minimum = spec.minimum;
  if (spec.maximum !== undefined) schema.maximum = spec.maximum;
  return schema;
}

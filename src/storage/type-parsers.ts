/**
 * How column values come back from either driver, so PostgreSQL and PGlite return the same
 * JavaScript values:
 * - timestamptz: FHIR instant string with millisecond precision, 'YYYY-MM-DDTHH:mm:ss.sssZ'
 * - int8 (bigint, count(*), bigserial): number
 * - numeric: string (exact)
 * - date, timestamp without time zone: the text as PostgreSQL sends it
 * - json/jsonb: parsed (each driver's default)
 */

export const OID = {
  INT8: 20,
  DATE: 1082,
  TIMESTAMP: 1114,
  TIMESTAMPTZ: 1184,
  NUMERIC: 1700,
} as const;

// ISO DateStyle output, e.g. '2026-01-02 03:04:05.678123+00', '2026-01-02 03:04:05+05:30'.
const TIMESTAMPTZ_TEXT =
  /^(\d{4,})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?|Z)?( BC)?$/;

/**
 * Parses PostgreSQL's text form of a timestamptz into an ISO instant with millisecond precision
 * in UTC (sub-millisecond digits are truncated). Values it cannot read ('infinity', BC dates)
 * are returned unchanged.
 */
export function parseTimestamptz(text: string): string {
  const m = TIMESTAMPTZ_TEXT.exec(text);
  if (!m || m[12]) return text;
  const millis = Number(((m[7] ?? '') + '000').slice(0, 3));
  // setUTCFullYear (unlike Date.UTC) takes years 0-99 literally.
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), millis);
  let epoch = d.getTime();
  if (m[8]) {
    const offsetSeconds = Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0);
    epoch -= (m[8] === '-' ? -1 : 1) * offsetSeconds * 1000;
  }
  return new Date(epoch).toISOString();
}

/** int8 as a number (exact up to 2^53, far beyond any sequence or count Hearth produces). */
export function parseInt8(text: string): number {
  return Number(text);
}

const identity = (text: string): string => text;

/** Text parsers by type OID, shared by both drivers. */
export const typeParsers: Readonly<Record<number, (text: string) => unknown>> = {
  [OID.INT8]: parseInt8,
  [OID.DATE]: identity,
  [OID.TIMESTAMP]: identity,
  [OID.TIMESTAMPTZ]: parseTimestamptz,
  [OID.NUMERIC]: identity,
};

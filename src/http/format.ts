import { errors } from '../core/errors';

/** Content negotiation: Hearth serves FHIR JSON only (http.html#mime-type, _format). */

const JSON_TYPES = new Set(['application/fhir+json', 'application/json', 'application/json+fhir']);
const FORMAT_ALIASES: Record<string, string> = {
  json: 'application/fhir+json',
  'application/fhir+json': 'application/fhir+json',
  'application/json': 'application/json',
  'application/json+fhir': 'application/fhir+json',
};

export const FHIR_JSON = 'application/fhir+json';
export const JSON_PATCH = 'application/json-patch+json';

function mediaType(value: string): string {
  return value.split(';')[0].trim().toLowerCase();
}

/**
 * Chooses the response media type from `_format` (which wins) or Accept; 406 when the client
 * accepts nothing Hearth can produce.
 */
export function negotiateResponseType(format: string | undefined, accept: string | undefined): string {
  if (format !== undefined) {
    const chosen = FORMAT_ALIASES[mediaType(format.replace(/ /g, '+'))];
    if (!chosen) throw errors.notAcceptable(`_format '${format}' is not supported; Hearth serves application/fhir+json`);
    return chosen;
  }
  if (!accept || accept.trim() === '') return FHIR_JSON;
  const ranges = accept.split(',').map((r) => {
    const [type, ...params] = r.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return { type, q: q ? Number(q.slice(2)) : 1 };
  });
  const acceptable = ranges
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q)
    .find((r) => JSON_TYPES.has(r.type) || r.type === '*/*' || r.type === 'application/*');
  if (!acceptable) throw errors.notAcceptable(`None of the accepted types (${accept}) can be produced; Hearth serves application/fhir+json`);
  return acceptable.type === 'application/json' ? 'application/json' : FHIR_JSON;
}

/** Checks a resource body's Content-Type (415 when it is not FHIR JSON). */
export function checkResourceContentType(contentType: string | undefined): void {
  if (!contentType) return;
  const type = mediaType(contentType);
  if (!JSON_TYPES.has(type)) {
    throw errors.unsupportedMediaType(`Content-Type '${type}' is not supported; send application/fhir+json`);
  }
}

/** Checks a PATCH body's Content-Type: JSON Patch only. */
export function checkPatchContentType(contentType: string | undefined): void {
  const type = contentType ? mediaType(contentType) : '';
  if (type !== JSON_PATCH) {
    throw errors.unsupportedMediaType(`PATCH requires Content-Type ${JSON_PATCH} (got '${type || 'none'}')`);
  }
}

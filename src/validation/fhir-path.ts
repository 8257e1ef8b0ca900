/**
 * JSON Pointer (ajv's `instancePath`) to FHIRPath: `/name/0/given/1` under `Patient` becomes
 * `Patient.name[0].given[1]`. A primitive's `_name` sibling holds the same element's id and
 * extensions, so `/_birthDate/extension/0` becomes `Patient.birthDate.extension[0]`.
 * FHIR element names are never numeric, so numeric segments are array indexes.
 */

function decode(segment: string): string {
  return segment.indexOf('~') < 0 ? segment : segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function pointerToFhirPath(root: string, pointer: string): string {
  if (pointer === '') return root;
  let out = root;
  const segments = pointer.split('/');
  for (let i = 1; i < segments.length; i++) {
    const s = decode(segments[i] as string);
    if (/^[0-9]+$/.test(s)) out += `[${s}]`;
    else out += `.${s.startsWith('_') && s.length > 1 ? s.slice(1) : s}`;
  }
  return out;
}

/** Appends a property name to a FHIRPath expression, keeping it as written. */
export function childPath(path: string, name: string): string {
  return `${path}.${name}`;
}

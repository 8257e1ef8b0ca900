import { indexedText, normalizeText } from '../extract/text';

/**
 * Search values in the forms the index holds (see ../extract/text.ts): strings and token texts
 * folded (lower case, no accents) and cut to the indexed length; codes, systems and URIs cut.
 */
export { indexedText, normalizeText };

/** Escapes LIKE metacharacters (backslash is PostgreSQL's default LIKE escape). */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Text normalization shared by index extraction and the query side, so both compare the same forms.
 */

/**
 * Longest text kept in an indexed column, in UTF-16 code units. B-tree index entries are limited
 * to ~2,700 bytes; 400 units are at most 1,200 bytes of UTF-8, so even a row with two such
 * columns (idx_token system + value) stays within the limit. Longer values are cut (at a
 * character boundary); the query side must cut search values the same way (see indexedText).
 */
export const MAX_INDEXED_LENGTH = 400;

const ASCII = /^[\x00-\x7f]*$/;
const MARKS = /\p{M}/gu;

/** Lower case with accents (combining marks after NFD decomposition) removed: `Érè` → `ere`. */
export function foldText(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  return text.normalize('NFD').replace(MARKS, '').toLowerCase();
}

/** Cuts text to MAX_INDEXED_LENGTH without splitting a surrogate pair. */
export function indexedText(text: string): string {
  if (text.length <= MAX_INDEXED_LENGTH) return text;
  let end = MAX_INDEXED_LENGTH;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}

/** The form stored in idx_string.value and idx_token.text: folded, then cut. */
export function normalizeText(text: string): string {
  return indexedText(foldText(text));
}

const SOUNDEX: Record<string, string> = {
  b: '1', f: '1', p: '1', v: '1',
  c: '2', g: '2', j: '2', k: '2', q: '2', s: '2', x: '2', z: '2',
  d: '3', t: '3', l: '4', m: '5', n: '5', r: '6',
};

/**
 * Phonetic key of a name (American Soundex of its folded letters, e.g. `Smith`/`Smyth` → s530),
 * stored in idx_string.value for parameters with xpathUsage `phonetic`; empty when the text has
 * no letter a-z.
 */
export function phoneticKey(text: string): string {
  const letters = foldText(text).replace(/[^a-z]/g, '');
  if (letters === '') return '';
  let key = letters[0]!;
  let previous = SOUNDEX[letters[0]!] ?? '';
  for (let i = 1; i < letters.length && key.length < 4; i++) {
    const c = letters[i]!;
    const digit = SOUNDEX[c] ?? '';
    if (digit !== '' && digit !== previous) key += digit;
    if (c !== 'h' && c !== 'w') previous = digit;
  }
  return key.padEnd(4, '0');
}

import type { SearchParamType } from '../parameter';
import { dateNormalizer } from './normalize-date';
import { numberNormalizer, quantityNormalizer } from './normalize-number';
import { referenceNormalizer } from './normalize-reference';
import { stringNormalizer } from './normalize-string';
import { tokenNormalizer } from './normalize-token';
import type { Normalizer } from './sink';
import { indexedText } from './text';

/** Rows of a uri parameter (idx_uri: code, value): the URI as written, cut to MAX_INDEXED_LENGTH. */
function uriNormalizer(code: string): Normalizer {
  return (value, _type, sink) => {
    if (typeof value === 'string' && value !== '') sink.idx_uri.push([code, indexedText(value)]);
  };
}

/** The normalizer of a (non-composite) parameter type, writing rows with `code`; undefined for special. */
export function normalizerFor(type: SearchParamType, code: string, phonetic = false): Normalizer | undefined {
  switch (type) {
    case 'string':
      return stringNormalizer(code, phonetic);
    case 'token':
      return tokenNormalizer(code);
    case 'reference':
      return referenceNormalizer(code);
    case 'date':
      return dateNormalizer(code);
    case 'number':
      return numberNormalizer(code);
    case 'quantity':
      return quantityNormalizer(code);
    case 'uri':
      return uriNormalizer(code);
    default:
      return undefined;
  }
}

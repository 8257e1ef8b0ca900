/**
 * The FHIR type of a value, from the static type when the extractor knows it, else guessed from
 * the value's shape (values from paths outside the R4 definitions, or untyped fhirpath results).
 * A ContactPoint is guessed as an Identifier: both give the same system/value token row.
 */

/** Types that are Quantity with constraints. */
export const QUANTITY_TYPES: ReadonlySet<string> = new Set(['Quantity', 'Age', 'Count', 'Distance', 'Duration', 'MoneyQuantity', 'SimpleQuantity']);

function guess(v: Record<string, unknown>): string | undefined {
  if (typeof v.resourceType === 'string') return 'Resource';
  if ('coding' in v) return 'CodeableConcept';
  if ('reference' in v) return 'Reference';
  if ('family' in v || 'given' in v) return 'HumanName';
  if ('line' in v || 'city' in v || 'postalCode' in v || 'country' in v) return 'Address';
  if ('start' in v || 'end' in v) return 'Period';
  if ('event' in v || 'repeat' in v) return 'Timing';
  if ('currency' in v) return 'Money';
  if ('low' in v || 'high' in v) return 'Range';
  if (typeof v.value === 'number') return 'Quantity';
  if ('value' in v) return 'Identifier';
  if ('code' in v || 'system' in v) return 'Coding';
  if ('identifier' in v) return 'Reference';
  if ('text' in v) return 'CodeableConcept';
  return undefined;
}

/** The type to normalize `value` as: `type` when given (other than inline structures), else a guess. */
export function typeOf(value: unknown, type: string | undefined): string | undefined {
  if (type && type !== 'BackboneElement' && type !== 'Element') return type;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return type;
  return guess(value as Record<string, unknown>) ?? type;
}

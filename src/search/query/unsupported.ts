/**
 * Raised for a search parameter, modifier or value form this server does not support: the caller
 * ignores it and reports it (lenient handling) or refuses it with 400 (strict handling). A malformed
 * value is a FhirError (400) instead, whatever the handling.
 */
export class Unsupported extends Error {}

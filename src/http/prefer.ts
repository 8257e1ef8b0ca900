/** The Prefer header (RFC 7240) as FHIR uses it: return=minimal|representation|OperationOutcome, handling=strict|lenient. */
export interface Preferences {
  return?: 'minimal' | 'representation' | 'OperationOutcome';
  handling?: 'strict' | 'lenient';
  respondAsync?: boolean;
}

export function parsePrefer(header: string | undefined): Preferences {
  const prefs: Preferences = {};
  if (!header) return prefs;
  for (const part of header.split(/[,;]/)) {
    const [rawKey, rawValue] = part.split('=').map((s) => s.trim());
    const key = rawKey.toLowerCase();
    const value = rawValue?.replace(/^"|"$/g, '');
    if (key === 'return' && (value === 'minimal' || value === 'representation' || value === 'OperationOutcome')) prefs.return = value;
    else if (key === 'handling' && (value === 'strict' || value === 'lenient')) prefs.handling = value;
    else if (key === 'respond-async') prefs.respondAsync = true;
  }
  return prefs;
}

/**
 * Writes the generated CapabilityStatement to capability-statement/CapabilityStatement.json, so that
 * what the server declares can be read and reviewed without running it. A test keeps it current.
 *   npm run capability-statement
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildCapabilityStatement } from '../src/interactions/capabilities';

export const STATEMENT_FILE = resolve(__dirname, '..', 'capability-statement', 'CapabilityStatement.json');

export function renderStatement(): string {
  const statement = buildCapabilityStatement('http://localhost:8080/fhir', { name: 'Hearth', version: '0.1.0', date: '2026-01-01' });
  return JSON.stringify(statement, null, 2) + '\n';
}

if (require.main === module) {
  writeFileSync(STATEMENT_FILE, renderStatement());
  process.stdout.write(`wrote ${STATEMENT_FILE}\n`);
}

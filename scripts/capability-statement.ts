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

const HELP = `Usage: npm run capability-statement [-- --help]

Writes the CapabilityStatement the server declares to capability-statement/CapabilityStatement.json
(base http://localhost:8080/fhir, fixed date, so that the file only changes with the server).
`;

if (require.main === module) {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  writeFileSync(STATEMENT_FILE, renderStatement());
  process.stdout.write(`wrote ${STATEMENT_FILE}\n`);
}

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Location of the shared real-world FHIR data used by tests and benchmarks: `../shared/data`
 * beside the repository, or HEARTH_SHARED_DATA. Tests fail (never skip) when it is missing.
 */
export function sharedDataDir(): string {
  const dir = process.env.HEARTH_SHARED_DATA ?? resolve(__dirname, '..', '..', '..', 'shared', 'data');
  if (!existsSync(dir)) throw new Error(`Shared test data not found at ${dir} (set HEARTH_SHARED_DATA)`);
  return dir;
}

export function sharedDataPath(...parts: string[]): string {
  return resolve(sharedDataDir(), ...parts);
}

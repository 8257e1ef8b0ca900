import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedDataDir } from '../testing/shared-data';

/** Shared data for the validation tests (never used by the validator itself; no tests here). */

export const DATA_DIR = sharedDataDir();
export const R4_EXAMPLES_DIR = join(DATA_DIR, 'r4-examples/hl7.fhir.r4.examples-4.0.1/examples');
export const R4_PACKAGE_ZIP = join(DATA_DIR, 'r4-examples/hl7.fhir.r4.examples-4.0.1/hl7.fhir.r4.examples-4.0.1-complete.zip');
export const SYNTHEA_SAMPLE_DIR = join(DATA_DIR, 'synthea-r4/smart-on-fhir-generated-sample-data/sample');

export type Json = Record<string, unknown>;

export function readJsonFile(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8')) as Json;
}

export function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

/** The resource and, for a Bundle, the resources of its entries (recursively). */
export function withEntries(resource: Json): Json[] {
  const out = [resource];
  if (resource.resourceType === 'Bundle') {
    for (const e of (resource.entry as { resource?: Json }[] | undefined) ?? []) {
      if (e.resource) out.push(...withEntries(e.resource));
    }
  }
  return out;
}

/**
 * Extracts files matching `pattern` from the complete R4 package into a temporary directory;
 * undefined when the package or the `unzip` tool is not available.
 */
export function extractFromR4Package(pattern: string): string | undefined {
  if (!existsSync(R4_PACKAGE_ZIP)) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'r4-package-'));
  try {
    execFileSync('unzip', ['-q', '-o', R4_PACKAGE_ZIP, pattern, '-d', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return join(dir, 'package');
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { sharedDataPath } from '../../src/testing/shared-data';

/** Every resource of the Synthea sample patients (the per-resource benchmarks' mix). */
export function syntheaSampleResources(): Resource[] {
  const dir = sharedDataPath('synthea-r4', 'smart-on-fhir-generated-sample-data', 'sample');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => ((JSON.parse(readFileSync(join(dir, f), 'utf8')) as Bundle).entry ?? []).map((e) => e.resource as Resource));
}

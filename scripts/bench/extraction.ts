import type { Resource } from '@medplum/fhirtypes';
import { resourceTypes } from '../../src/fhir/resource-types';
import { searchIndexRows } from '../../src/search/index-rows';
import { precompileSearchParameters, searchParameters } from '../../src/search/registry';
import { syntheaSampleResources } from './synthea-sample';
import { fmt, type Row } from './stats';

/** Search index extraction over the Synthea sample patients: rate, cost by type, and start-up cost. */
export function extractionRows(): Row[] {
  const resources = syntheaSampleResources();

  const t = performance.now();
  precompileSearchParameters();
  const startup = performance.now() - t;
  let params = 0;
  let fallbacks = 0;
  for (const type of resourceTypes()) {
    for (const def of searchParameters(type).values()) {
      params++;
      if (!def.extract.compiled) fallbacks++;
    }
  }

  const perResource = (list: Resource[]): { us: number; rows: number } => {
    let rows = 0;
    for (const r of list) searchIndexRows(r);
    const rounds = Math.max(1, Math.ceil(50_000 / list.length));
    const start = performance.now();
    for (let i = 0; i < rounds; i++) {
      for (const r of list) {
        const index = searchIndexRows(r);
        if (i === 0) for (const table of Object.values(index)) rows += table?.length ?? 0;
      }
    }
    return { us: ((performance.now() - start) * 1000) / (rounds * list.length), rows: rows / list.length };
  };

  const all = perResource(resources);
  const rows: Row[] = [
    { name: 'extraction: build the registry (every type)', value: `${fmt(startup, 0)} ms`, note: `${params} parameters, ${fallbacks} evaluated by fhirpath` },
    { name: `extraction: all ${resources.length} sample resources`, value: `${fmt(1e6 / all.us)} res/s`, note: `${fmt(all.us, 1)} µs each, ${fmt(all.rows, 1)} rows each; target ≥ 20,000 res/s per core` },
  ];
  for (const type of ['Observation', 'Patient', 'Encounter', 'Condition', 'Claim', 'ExplanationOfBenefit']) {
    const r = perResource(resources.filter((x) => x.resourceType === type));
    rows.push({ name: `extraction: ${type}`, value: `${fmt(r.us, 1)} µs`, note: `${fmt(r.rows, 1)} rows` });
  }
  return rows;
}

import type { Resource } from '@medplum/fhirtypes';
import { createBaseValidator } from '../../src/validation';
import { syntheaSampleResources } from './synthea-sample';
import { fmt, type Row } from './stats';

/** Base validation cost per resource over the Synthea sample patients, by type, and start-up cost. */
export function validationRows(): Row[] {
  const resources = syntheaSampleResources();
  let t = performance.now();
  const validator = createBaseValidator();
  validator.validate({ resourceType: 'Observation', status: 'final', code: { text: 'x' } });
  const firstObservation = performance.now() - t;
  t = performance.now();
  validator.precompile();
  const precompile = performance.now() - t;
  const perResource = (list: Resource[]): number => {
    for (const r of list) validator.validate(r);
    const rounds = Math.max(1, Math.ceil(20_000 / list.length));
    const start = performance.now();
    for (let i = 0; i < rounds; i++) for (const r of list) validator.validate(r);
    return ((performance.now() - start) * 1000) / (rounds * list.length);
  };
  const rows: Row[] = [
    { name: 'validator: first Observation (compile on first use)', value: `${fmt(firstObservation, 1)} ms` },
    { name: 'validator: precompile every other type', value: `${fmt(precompile, 0)} ms` },
  ];
  for (const type of ['Observation', 'Patient', 'Encounter', 'Condition', 'ExplanationOfBenefit']) {
    const us = perResource(resources.filter((r) => r.resourceType === type));
    rows.push({ name: `base validation: ${type}`, value: `${fmt(us, 1)} µs`, note: `${fmt(50 / us, 1)}x under the 50 µs target` });
  }
  rows.push({ name: `base validation: all ${resources.length} sample resources`, value: `${fmt(perResource(resources), 1)} µs`, note: 'average' });
  return rows;
}

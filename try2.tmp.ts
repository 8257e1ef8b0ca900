import { readdirSync, readFileSync } from 'node:fs';
import { createBaseValidator } from './src/validation/base-validator';
const v = createBaseValidator();
const dir = '/work/shared/data/synthea-r4/smart-on-fhir-generated-sample-data/sample/';
const res: any[] = [];
for (const f of readdirSync(dir).filter(f => f.endsWith('.json'))) for (const e of JSON.parse(readFileSync(dir + f, 'utf8')).entry) res.push(e.resource);
for (const type of ['Observation', 'Patient', 'Encounter', 'Claim', 'ExplanationOfBenefit']) {
  const rs = res.filter(r => r.resourceType === type);
  for (let i = 0; i < 3; i++) for (const r of rs) v.validate(r);
  const N = Math.max(1, Math.floor(300000 / rs.length));
  const t0 = performance.now();
  for (let i = 0; i < N; i++) for (const r of rs) v.validate(r);
  console.log(type, ((performance.now() - t0) * 1000 / (N * rs.length)).toFixed(2), 'us');
}

import { readdirSync, readFileSync } from 'node:fs';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { silentLogger } from '../core/logger';
import type { InteractionContext } from '../interactions/types';
import type { Repository } from '../storage/repository';
import { forEachDatabase } from '../storage/test-databases';
import { sharedDataPath } from '../testing/shared-data';
import { createBaseValidator } from '../validation';
import { processBundle } from './index';

const BASE = 'http://example.org/fhir';

/** The smallest Synthea patient Bundle of the sample folder (hospital and practitioner files excluded). */
function loadPatientBundle(): { file: string; bundle: Bundle } {
  const dir = sharedDataPath('synthea-r4', 'smart-on-fhir-generated-sample-data', 'sample');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && !/^(hospital|practitioner)Information/.test(f));
  expect(files.length, `patient bundles in ${dir}`).to.be.greaterThan(0);
  const sized = files.map((f) => ({ f, size: readFileSync(`${dir}/${f}`).length })).sort((a, b) => a.size - b.size);
  const file = sized[0]!.f;
  return { file, bundle: JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as Bundle };
}

/** Every string value under a `reference` key. */
function references(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => references(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else references(v, out);
    }
  }
  return out;
}

forEachDatabase('bundles: a Synthea patient transaction', (db) => {
  const repo = (): Repository => db.repository();
  const ctx = (): InteractionContext => ({
    repo: repo(),
    validator: createBaseValidator(),
    logger: silentLogger,
    limits: { defaultPageSize: 20, maxPageSize: 100 },
  });

  it('stores every entry, rewrites every urn:uuid reference to a stored resource', async function () {
    this.timeout(300_000);
    const { file, bundle } = loadPatientBundle();
    const requests = bundle.entry ?? [];
    expect(bundle.type, file).to.equal('transaction');
    expect(requests.length).to.be.greaterThan(100);
    const fullUrls = new Set(requests.map((e) => e.fullUrl));
    expect([...fullUrls].every((u) => u?.startsWith('urn:uuid:')), 'fullUrls are urn:uuid').to.equal(true);
    expect(references(requests).filter((r) => r.startsWith('urn:uuid:')).length, 'urn:uuid references in the input').to.be.greaterThan(100);

    const before = (await repo().history({ count: 0 })).total ?? 0;
    const out = await processBundle(ctx(), bundle, { baseUrl: BASE, prefer: 'minimal', maxEntries: 10_000, onUnexpected: () => undefined });
    expect(out.type).to.equal('transaction-response');
    expect(out.entry).to.have.length(requests.length);
    expect((await repo().history({ count: 0 })).total).to.equal(before + requests.length);

    const stored = new Map<string, Resource>();
    for (const [i, e] of out.entry!.entries()) {
      expect(e.response?.status, `entry ${i}`).to.equal('201 Created');
      const m = /\/([A-Za-z]+)\/([^/]+)\/_history\/1$/.exec(e.response?.location ?? '');
      expect(m, `entry ${i} location ${e.response?.location}`).to.not.equal(null);
      const [, type, id] = m!;
      expect(type, `entry ${i} type`).to.equal(requests[i]!.resource?.resourceType);
      const current = await repo().readCurrent(type!, id!);
      expect(current?.content, `${type}/${id}`).to.not.equal(undefined);
      stored.set(`${type}/${id}`, current!.content!);
    }
    expect(stored.size, 'distinct stored resources').to.equal(requests.length);

    for (const [ref, resource] of stored) {
      const json = JSON.stringify(resource);
      expect(json.includes('urn:uuid:'), `${ref} still holds a urn:uuid`).to.equal(false);
      for (const r of references(resource)) {
        if (r.startsWith('#')) continue;
        expect(stored.has(r), `${ref} refers to ${r}, which this Bundle did not store`).to.equal(true);
      }
    }

    const patients = [...stored.entries()].filter(([ref]) => ref.startsWith('Patient/'));
    expect(patients).to.have.length(1);
    const patientRef = patients[0]![0];
    const subjects = [...stored.values()].filter((r) => r.resourceType === 'Observation').map((r) => (r as { subject?: { reference?: string } }).subject?.reference);
    expect(subjects.length).to.be.greaterThan(0);
    expect(subjects.every((s) => s === patientRef), 'every Observation is about the Patient').to.equal(true);
  });
});

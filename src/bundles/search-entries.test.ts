import type { Bundle, BundleEntry, CapabilityStatement, Observation } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { forEachDatabase } from '../storage/test-databases';
import { BASE, contextOf, urn } from '../testing/fixtures';
import { marker, tagged, TAG_SYSTEM } from '../testing/search-fixtures';
import { processBundle } from './index';

/** GET / HEAD entries that are searches (type, compartment) or `metadata`, in batches and transactions. */

const bundle = (type: 'batch' | 'transaction', ...entry: BundleEntry[]): Bundle => ({ resourceType: 'Bundle', type, entry });
const get = (url: string, method: 'GET' | 'HEAD' = 'GET'): BundleEntry => ({ request: { method, url } });
const matchIds = (b: Bundle): string[] => (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id!).sort();

forEachDatabase('bundles: search and metadata entries', (db) => {
  const submit = (body: Bundle) =>
    processBundle(contextOf(db, { software: { name: 'Hearth', version: 'test', date: '2026-01-01' } }), body, { baseUrl: BASE, prefer: 'minimal', maxEntries: 100, onUnexpected: (e) => { throw e; } });
  const m = marker('bsearch');
  const scope = `_tag=${TAG_SYSTEM}|${m}`;
  const obs = (code: string, extra: Partial<Observation> = {}): Observation => ({ resourceType: 'Observation', ...tagged(m), status: 'final', code: { coding: [{ system: 'http://loinc.org', code }] }, ...extra });

  it('a batch answers each search entry with its searchset Bundle, and metadata with the CapabilityStatement', async () => {
    const created = await submit(bundle('batch', { resource: obs('8480-6'), request: { method: 'POST', url: 'Observation' } }, { resource: obs('8462-4'), request: { method: 'POST', url: 'Observation' } }));
    expect(created.entry!.map((e) => e.response!.status)).to.deep.equal(['201 Created', '201 Created']);
    const out = await submit(
      bundle(
        'batch',
        get(`Observation?${scope}&code=http://loinc.org|8480-6`),
        get(`${BASE}/Observation?${scope}&_sort=-_lastUpdated&_count=1`),
        get(`Observation?${scope}&code:in=http://example.org/ValueSet/none`),
        get('metadata'),
        get(`Observation?${scope}`, 'HEAD'),
        get(`Observation?${scope}&_summary=count`),
      ),
    );
    const [byCode, paged, unknown, metadata, head, count] = out.entry!;
    expect(byCode!.response!.status).to.equal('200 OK');
    const set = byCode!.resource as Bundle;
    expect(set.type).to.equal('searchset');
    expect(set.entry).to.have.length(1);
    expect((set.entry![0]!.resource as Observation).code.coding![0]!.code).to.equal('8480-6');
    expect(set.link!.find((l) => l.relation === 'self')!.url).to.contain(`${BASE}/Observation?`);
    expect((paged!.resource as Bundle).link!.some((l) => l.relation === 'next')).to.equal(true);
    expect(unknown!.response!.status).to.equal('400 Bad Request');
    expect(unknown!.response!.outcome!.issue![0]!.diagnostics).to.contain('http://example.org/ValueSet/none');
    expect((metadata!.resource as CapabilityStatement).resourceType).to.equal('CapabilityStatement');
    expect((metadata!.resource as CapabilityStatement).software).to.deep.equal({ name: 'Hearth', version: 'test' });
    expect(head!.response!.status).to.equal('200 OK');
    expect(head!.resource).to.equal(undefined);
    expect((count!.resource as Bundle).total).to.equal(2);
  });

  it('a transaction runs its searches after its writes and sees them', async () => {
    const mt = marker('tsearch');
    const p = urn();
    const out = await submit(
      bundle(
        'transaction',
        get(`Observation?_tag=${TAG_SYSTEM}|${mt}`),
        { fullUrl: p, resource: { resourceType: 'Patient', ...tagged(mt) }, request: { method: 'POST', url: 'Patient' } },
        { resource: { ...obs('8480-6'), ...tagged(mt), subject: { reference: p } }, request: { method: 'POST', url: 'Observation' } },
      ),
    );
    expect(out.type).to.equal('transaction-response');
    const found = out.entry![0]!.resource as Bundle;
    expect(found.type).to.equal('searchset');
    expect(found.entry).to.have.length(1);
    const patientId = (found.entry![0]!.resource as Observation).subject!.reference!.split('/')[1]!;
    const compartment = await submit(bundle('batch', get(`Patient/${patientId}/Observation?code=8480-6`), get(`Patient/${patientId}/*`)));
    expect(matchIds(compartment.entry![0]!.resource as Bundle)).to.deep.equal([found.entry![0]!.resource!.id!]);
    expect(matchIds(compartment.entry![1]!.resource as Bundle)).to.have.length(2);
  });

  it('a failing search entry fails the transaction, naming the entry', async () => {
    const err = await submit(bundle('transaction', get('Observation?code:in=http://example.org/ValueSet/none'))).catch((e: { status: number; issues: { diagnostics: string }[] }) => e);
    expect((err as { status: number }).status).to.equal(400);
    expect((err as { issues: { diagnostics: string }[] }).issues[0]!.diagnostics).to.match(/^Bundle\.entry\[0\]: /);
  });

  it('compartment and metadata URLs are for GET and HEAD only', async () => {
    const out = await submit(bundle('batch', { resource: obs('x'), request: { method: 'PUT', url: 'Patient/1/Observation' } }, { resource: obs('x'), request: { method: 'POST', url: 'metadata' } }));
    expect(out.entry!.map((e) => e.response!.status)).to.deep.equal(['400 Bad Request', '400 Bad Request']);
  });
});

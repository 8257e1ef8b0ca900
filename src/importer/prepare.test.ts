import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { idempotentEntry, prepareBundle, prepareResources } from './prepare';

const UUID = '6f5557bb-1c8b-438a-a774-06a5cdf8cbab';
const patient = (extra: Record<string, unknown> = {}): Resource => ({ resourceType: 'Patient', gender: 'male', ...extra }) as Resource;
const observation = (reference: string): Resource =>
  ({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference } }) as Resource;

describe('importer: prepare', () => {
  describe('idempotentEntry', () => {
    it('turns a POST with a urn:uuid fullUrl into PUT Type/<uuid>, keeping the fullUrl', () => {
      const entry: BundleEntry = { fullUrl: `urn:uuid:${UUID}`, resource: patient(), request: { method: 'POST', url: 'Patient' } };
      expect(idempotentEntry(entry)).to.deep.equal({
        fullUrl: `urn:uuid:${UUID}`,
        resource: { resourceType: 'Patient', gender: 'male', id: UUID },
        request: { method: 'PUT', url: `Patient/${UUID}` },
      });
    });

    it('uses the uuid as id even when the resource carries another one, and in lower case', () => {
      const upper = UUID.toUpperCase();
      const out = idempotentEntry({ fullUrl: `urn:uuid:${upper}`, resource: patient({ id: 'other' }), request: { method: 'POST', url: 'Patient' } });
      expect(out.resource!.id).to.equal(UUID);
      expect(out.request).to.deep.equal({ method: 'PUT', url: `Patient/${UUID}` });
      expect(out.fullUrl).to.equal(`urn:uuid:${upper}`);
    });

    it('leaves a POST with ifNoneExist untouched', () => {
      const entry: BundleEntry = {
        fullUrl: `urn:uuid:${UUID}`,
        resource: patient({ identifier: [{ system: 'http://example.org/ids', value: '1' }] }),
        request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=http://example.org/ids|1' },
      };
      const copy = structuredClone(entry);
      expect(idempotentEntry(entry)).to.deep.equal(copy);
    });

    it('leaves POSTs without a urn:uuid fullUrl untouched', () => {
      const entries: BundleEntry[] = [
        { resource: patient(), request: { method: 'POST', url: 'Patient' } },
        { fullUrl: 'http://example.org/fhir/Patient/p1', resource: patient(), request: { method: 'POST', url: 'Patient' } },
        { fullUrl: 'urn:oid:1.2.3.4', resource: patient(), request: { method: 'POST', url: 'Patient' } },
        { fullUrl: 'urn:uuid:not-a-uuid', resource: patient(), request: { method: 'POST', url: 'Patient' } },
      ];
      for (const e of entries) expect(idempotentEntry(e), e.fullUrl ?? 'no fullUrl').to.deep.equal(structuredClone(e));
    });

    it('leaves PUT, PATCH, DELETE and GET entries untouched', () => {
      const entries: BundleEntry[] = [
        { fullUrl: `urn:uuid:${UUID}`, resource: patient({ id: 'p1' }), request: { method: 'PUT', url: 'Patient/p1' } },
        { request: { method: 'DELETE', url: 'Patient/p2' } },
        { request: { method: 'GET', url: 'Patient/p3' } },
      ];
      for (const e of entries) expect(idempotentEntry(e)).to.deep.equal(structuredClone(e));
    });

    it('does not modify the entry it is given', () => {
      const entry: BundleEntry = { fullUrl: `urn:uuid:${UUID}`, resource: patient(), request: { method: 'POST', url: 'Patient' } };
      const copy = structuredClone(entry);
      idempotentEntry(entry);
      expect(entry).to.deep.equal(copy);
    });
  });

  describe('prepareBundle', () => {
    it('keeps transaction and batch types, rewriting their urn:uuid POSTs and nothing else', () => {
      for (const type of ['transaction', 'batch'] as const) {
        const b: Bundle = {
          resourceType: 'Bundle',
          type,
          entry: [
            { fullUrl: `urn:uuid:${UUID}`, resource: patient(), request: { method: 'POST', url: 'Patient' } },
            { resource: observation(`urn:uuid:${UUID}`), request: { method: 'POST', url: 'Observation' } },
          ],
        };
        const out = prepareBundle(b);
        expect(out.type).to.equal(type);
        expect(out.entry!.map((e) => `${e.request!.method} ${e.request!.url}`)).to.deep.equal([`PUT Patient/${UUID}`, 'POST Observation']);
        expect((out.entry![1]!.resource as any).subject.reference).to.equal(`urn:uuid:${UUID}`);
      }
    });

    it('turns a collection into a transaction: PUT for resources with an id, POST for the others', () => {
      const b: Bundle = {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          { fullUrl: 'http://example.org/fhir/Patient/p1', resource: patient({ id: 'p1' }) },
          { resource: observation('Patient/p1') },
        ],
      };
      const out = prepareBundle(b);
      expect(out).to.deep.equal({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'http://example.org/fhir/Patient/p1', resource: patient({ id: 'p1' }), request: { method: 'PUT', url: 'Patient/p1' } },
          { resource: observation('Patient/p1'), request: { method: 'POST', url: 'Observation' } },
        ],
      });
    });

    it('gives a collection entry with a urn:uuid fullUrl and no id a stable PUT, so a re-import does not duplicate it', () => {
      const b: Bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: `urn:uuid:${UUID}`, resource: patient() }] };
      const [entry] = prepareBundle(b).entry!;
      expect(entry!.request).to.deep.equal({ method: 'PUT', url: `Patient/${UUID}` });
      expect(entry!.resource!.id).to.equal(UUID);
      expect(entry!.fullUrl).to.equal(`urn:uuid:${UUID}`);
    });

    it('handles a Bundle without entries', () => {
      expect(prepareBundle({ resourceType: 'Bundle', type: 'collection' })).to.deep.equal({ resourceType: 'Bundle', type: 'transaction', entry: [] });
    });
  });

  describe('prepareResources', () => {
    it('makes a batch of PUTs for resources with an id and POSTs for the others, in order', () => {
      const out = prepareResources([patient({ id: 'a' }), observation('Patient/a'), patient({ id: 'b' })]);
      expect(out.resourceType).to.equal('Bundle');
      expect(out.type).to.equal('batch');
      expect(out.entry!.map((e) => `${e.request!.method} ${e.request!.url}`)).to.deep.equal(['PUT Patient/a', 'POST Observation', 'PUT Patient/b']);
      expect(out.entry![0]!.resource).to.deep.equal(patient({ id: 'a' }));
      expect(out.entry!.every((e) => e.fullUrl === undefined)).to.equal(true);
    });

    it('makes an empty batch of no resources', () => {
      expect(prepareResources([])).to.deep.equal({ resourceType: 'Bundle', type: 'batch', entry: [] });
    });
  });
});

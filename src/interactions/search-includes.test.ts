import type { Bundle } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { forEachDatabase } from '../storage/test-databases';
import { marker, searchHarness, sorted, tagged, TAG_SYSTEM } from '../testing/search-fixtures';
import { remove } from './delete';
import { BASE } from '../testing/fixtures';

/** _include and _revinclude: resolved after the page, mode include, each resource once, :iterate bounded. */

const keys = (b: Bundle, mode: string): string[] =>
  sorted((b.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`));

forEachDatabase('search: _include and _revinclude', (db) => {
  const h = searchHarness(db);
  const m = marker('inc');
  const scope = `_tag=${TAG_SYSTEM}|${m}`;
  const ids: Record<string, string> = {};
  const obs = (code: string, subject: string, extra: object = {}) => ({
    resourceType: 'Observation' as const, ...tagged(m), status: 'final' as const,
    code: { coding: [{ system: 'http://loinc.org', code }] }, subject: { reference: subject }, ...extra,
  });

  before(async () => {
    ids.org = (await h.add({ resourceType: 'Organization', ...tagged(m), name: 'Org' })).id;
    ids.prac = (await h.add({ resourceType: 'Practitioner', ...tagged(m), name: [{ family: 'Doc' }] })).id;
    ids.pat = (await h.add({ resourceType: 'Patient', ...tagged(m), managingOrganization: { reference: `Organization/${ids.org}` }, generalPractitioner: [{ reference: `Practitioner/${ids.prac}` }] })).id;
    ids.gone = (await h.add({ resourceType: 'Patient', ...tagged(m) })).id;
    ids.o1 = (await h.add(obs('1', `Patient/${ids.pat}`, { performer: [{ reference: `Practitioner/${ids.prac}` }] }))).id;
    ids.o2 = (await h.add(obs('2', `Patient/${ids.pat}`))).id;
    ids.o3 = (await h.add(obs('3', `Patient/${ids.gone}`))).id;
    await remove(h.ctx(), { resourceType: 'Patient', id: ids.gone, query: [], baseUrl: BASE });
  });

  it('_include adds the referenced resources once, with search.mode include and a fullUrl', async () => {
    const b = await h.bundle('Observation', `${scope}&_include=Observation:patient`);
    expect(keys(b, 'match')).to.deep.equal(sorted([`Observation/${ids.o1}`, `Observation/${ids.o2}`, `Observation/${ids.o3}`]));
    expect(keys(b, 'include')).to.deep.equal([`Patient/${ids.pat}`]);
    const entry = b.entry!.find((e) => e.search?.mode === 'include')!;
    expect(entry.fullUrl).to.equal(`${BASE}/Patient/${ids.pat}`);
  });

  it('_include with a target type, several _include, and *', async () => {
    expect(keys(await h.bundle('Observation', `${scope}&_include=Observation:performer:Organization`), 'include')).to.deep.equal([]);
    expect(keys(await h.bundle('Observation', `${scope}&_include=Observation:performer:Practitioner`), 'include')).to.deep.equal([`Practitioner/${ids.prac}`]);
    expect(keys(await h.bundle('Observation', `${scope}&_include=Observation:patient&_include=Observation:performer`), 'include')).to.deep.equal(
      sorted([`Patient/${ids.pat}`, `Practitioner/${ids.prac}`]),
    );
    expect(keys(await h.bundle('Observation', `${scope}&_include=*`), 'include')).to.deep.equal(sorted([`Patient/${ids.pat}`, `Practitioner/${ids.prac}`]));
    expect(keys(await h.bundle('Observation', `${scope}&_include=Observation:*`), 'include')).to.deep.equal(sorted([`Patient/${ids.pat}`, `Practitioner/${ids.prac}`]));
  });

  it('_include only covers the page', async () => {
    const b = await h.bundle('Observation', `${scope}&code=3&_include=Observation:patient`);
    expect(keys(b, 'include')).to.deep.equal([]);
  });

  it('_revinclude adds the resources referring to the matches', async () => {
    const b = await h.bundle('Patient', `${scope}&_revinclude=Observation:subject`);
    expect(keys(b, 'match')).to.deep.equal([`Patient/${ids.pat}`]);
    expect(keys(b, 'include')).to.deep.equal(sorted([`Observation/${ids.o1}`, `Observation/${ids.o2}`]));
  });

  it(':iterate follows references of included resources, and never repeats a match as an include', async () => {
    const once = await h.bundle('Observation', `${scope}&code=1&_include=Observation:patient&_include=Patient:organization`);
    expect(keys(once, 'include')).to.deep.equal([`Patient/${ids.pat}`]);
    const iterated = await h.bundle('Observation', `${scope}&code=1&_include=Observation:patient&_include:iterate=Patient:organization`);
    expect(keys(iterated, 'include')).to.deep.equal(sorted([`Patient/${ids.pat}`, `Organization/${ids.org}`]));
    const back = await h.bundle('Observation', `${scope}&code=1&_include=Observation:patient&_revinclude:iterate=Observation:patient`);
    expect(keys(back, 'match')).to.deep.equal([`Observation/${ids.o1}`]);
    expect(keys(back, 'include')).to.deep.equal(sorted([`Patient/${ids.pat}`, `Observation/${ids.o2}`]));
  });

  it('system searches include across types without duplicates', async () => {
    const b = await h.bundle(undefined, `_type=Patient,Observation&${scope}&_include=Observation:patient`);
    const all = (b.entry ?? []).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`);
    expect(new Set(all).size).to.equal(all.length);
    expect(keys(b, 'include')).to.deep.equal([]);
  });
});

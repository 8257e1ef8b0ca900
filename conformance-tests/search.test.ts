import { expect } from 'chai';
import { expectRawOutcome, withServer } from './harness';
import { codings, fold, hasCoding, loadSynthea, mostFrequent, nameParts, periodRange, refId, type AnyResource } from './synthea-data';

/**
 * FHIR search through fhir-kit-client over the Synthea sample, each expected result computed
 * independently in plain TypeScript over the resources the transactions stored.
 */

const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';

const sorted = (ids: Iterable<string>): string[] => [...ids].sort();
const matches = (bundle: any): any[] => (bundle.entry ?? []).filter((e: any) => e.search?.mode === 'match');

withServer('conformance: search over the Synthea sample', (ctx) => {
  let data: AnyResource[] = [];
  const ofType = (type: string): AnyResource[] => data.filter((r) => r.resourceType === type);

  before(async function () {
    this.timeout(600_000);
    data = await loadSynthea(ctx.client());
    expect(ofType('Patient')).to.have.length(10);
  });

  /** Every match of a search, following `next` links; fails when an id comes twice. */
  async function everyMatch(first: any): Promise<string[]> {
    const seen: string[] = [];
    let bundle = first;
    for (let page = 0; bundle && page < 1000; page++) {
      expect(bundle.resourceType).to.equal('Bundle');
      expect(bundle.type).to.equal('searchset');
      for (const e of matches(bundle)) {
        expect(e.fullUrl).to.equal(`${ctx.url()}/${e.resource.resourceType}/${e.resource.id}`);
        seen.push(e.resource.id);
      }
      bundle = await ctx.client().nextPage({ bundle });
    }
    expect(new Set(seen).size, 'each id exactly once').to.equal(seen.length);
    return seen;
  }

  it('Observation?code=system|code returns exactly the observations with that coding, paged', async () => {
    const code = mostFrequent(ofType('Observation'), (o) => codings(o.code).find((c) => c.system === LOINC)?.code);
    const expected = ofType('Observation').filter((o) => hasCoding(o.code, LOINC, code)).map((o) => o.id);
    expect(expected.length).to.be.greaterThan(10);
    const first = await ctx.client().search({ resourceType: 'Observation', searchParams: { code: `${LOINC}|${code}`, _count: 7 } });
    expect(matches(first)).to.have.length(7);
    expect(sorted(await everyMatch(first))).to.deep.equal(sorted(expected));
  });

  it('Patient?name= matches the start of any name part, ignoring case and accents', async () => {
    const family: string = ofType('Patient')[0]!.name[0].family;
    const prefix = family.slice(0, 3).toUpperCase();
    const expected = ofType('Patient').filter((p) => nameParts(p.name).some((n) => fold(n).startsWith(fold(prefix)))).map((p) => p.id);
    const bundle = await ctx.client().search({ resourceType: 'Patient', searchParams: { name: prefix } });
    expect(sorted(matches(bundle).map((e) => e.resource.id))).to.deep.equal(sorted(expected));
    expect(expected.length).to.be.at.least(1);
  });

  it('Patient?birthdate=le1970 and gt1970 split the patients by birth year', async () => {
    const patients = ofType('Patient');
    const le = patients.filter((p) => p.birthDate.slice(0, 4) <= '1970').map((p) => p.id);
    const gt = patients.filter((p) => p.birthDate.slice(0, 4) > '1970').map((p) => p.id);
    const a = await ctx.client().search({ resourceType: 'Patient', searchParams: { birthdate: 'le1970' } });
    const b = await ctx.client().search({ resourceType: 'Patient', searchParams: { birthdate: 'gt1970' } });
    expect(sorted(matches(a).map((e) => e.resource.id))).to.deep.equal(sorted(le));
    expect(sorted(matches(b).map((e) => e.resource.id))).to.deep.equal(sorted(gt));
    expect(a.total).to.equal(le.length);
  });

  it('Encounter?date=ge2015&date=lt2016 compares the encounter periods as ranges', async () => {
    const [y2015, y2016] = [Date.parse('2015-01-01T00:00:00Z'), Date.parse('2016-01-01T00:00:00Z')];
    const expected = ofType('Encounter')
      .filter((e) => {
        const [low, high] = periodRange(e.period);
        const ge = high > y2016 - 1 || (low >= y2015 && high <= y2016 - 1);
        return ge && low < y2016;
      })
      .map((e) => e.id);
    const first = await ctx.client().search({ resourceType: 'Encounter', searchParams: { date: ['ge2015', 'lt2016'], _count: 100 } });
    expect(sorted(await everyMatch(first))).to.deep.equal(sorted(expected));
  });

  it('a _has cohort: patients with a condition, counted with _total=accurate and _summary=count', async () => {
    const conditions = ofType('Condition');
    const code = mostFrequent(conditions, (c) => codings(c.code).find((x) => x.system === SNOMED)?.code);
    const cohort = new Set(conditions.filter((c) => hasCoding(c.code, SNOMED, code)).map((c) => refId(c.subject, 'Patient')!));
    const params = { [`_has:Condition:patient:code`]: `${SNOMED}|${code}` };
    const bundle = await ctx.client().search({ resourceType: 'Patient', searchParams: { ...params, _total: 'accurate', _count: 3 } });
    expect(bundle.total).to.equal(cohort.size);
    expect(sorted(await everyMatch(bundle))).to.deep.equal(sorted(cohort));
    const count = await ctx.client().search({ resourceType: 'Patient', searchParams: { ...params, _summary: 'count' } });
    expect(count.total).to.equal(cohort.size);
    expect(count.entry).to.equal(undefined);
  });

  it('_include=Observation:patient adds each referenced patient once', async () => {
    const code = mostFrequent(ofType('Observation'), (o) => codings(o.code).find((c) => c.system === LOINC)?.code);
    const obs = ofType('Observation').filter((o) => hasCoding(o.code, LOINC, code));
    const bundle = await ctx.client().search({ resourceType: 'Observation', searchParams: { code: `${LOINC}|${code}`, _include: 'Observation:patient', _count: 1000 } });
    expect(matches(bundle)).to.have.length(obs.length);
    const included = (bundle.entry as any[]).filter((e) => e.search.mode === 'include').map((e) => `${e.resource.resourceType}/${e.resource.id}`);
    expect(sorted(included)).to.deep.equal(sorted(new Set(obs.map((o) => `Patient/${refId(o.subject, 'Patient')}`))));
  });

  it('_revinclude=Encounter:patient adds the encounters of the matched patient', async () => {
    const patient = ofType('Patient')[1]!;
    const expected = ofType('Encounter').filter((e) => refId(e.subject, 'Patient') === patient.id).map((e) => e.id);
    const bundle = await ctx.client().search({ resourceType: 'Patient', searchParams: { _id: patient.id, _revinclude: 'Encounter:patient', _count: 10 } });
    expect(matches(bundle).map((e) => e.resource.id)).to.deep.equal([patient.id]);
    expect(sorted((bundle.entry as any[]).filter((e) => e.search.mode === 'include').map((e) => e.resource.id))).to.deep.equal(sorted(expected));
  });

  it('pages through every Observation, each id exactly once, newest first with _sort=-date', async () => {
    const all = ofType('Observation');
    const first = await ctx.client().search({ resourceType: 'Observation', searchParams: { _count: 200 } });
    expect(sorted(await everyMatch(first))).to.deep.equal(sorted(all.map((o) => o.id)));
    const byDate = await ctx.client().search({ resourceType: 'Observation', searchParams: { _sort: '-date', _count: 150 } });
    const ids = await everyMatch(byDate);
    const when = new Map(all.map((o) => [o.id, Date.parse(o.effectiveDateTime ?? o.effectivePeriod?.end ?? o.issued)]));
    for (let i = 1; i < ids.length; i++) expect(when.get(ids[i - 1]!)!, `order at ${i}`).to.be.at.least(when.get(ids[i]!)!);
  });

  it('chains: Observation?subject:Patient.name=…&code=…', async () => {
    const patient = ofType('Patient')[2]!;
    const family: string = patient.name[0].family;
    const code = mostFrequent(ofType('Observation'), (o) => codings(o.code).find((c) => c.system === LOINC)?.code);
    const named = new Set(ofType('Patient').filter((p) => nameParts(p.name).some((n) => fold(n).startsWith(fold(family)))).map((p) => p.id));
    const expected = ofType('Observation').filter((o) => hasCoding(o.code, LOINC, code) && named.has(refId(o.subject, 'Patient')!)).map((o) => o.id);
    const bundle = await ctx.client().search({ resourceType: 'Observation', searchParams: { 'subject:Patient.name': family, code, _count: 500 } });
    expect(sorted(matches(bundle).map((e) => e.resource.id))).to.deep.equal(sorted(expected));
  });

  it('compartment search: Patient/[id]/Observation?code=…', async () => {
    const patient = ofType('Patient')[3]!;
    const code = mostFrequent(ofType('Observation'), (o) => codings(o.code).find((c) => c.system === LOINC)?.code);
    const expected = ofType('Observation').filter((o) => refId(o.subject, 'Patient') === patient.id && hasCoding(o.code, LOINC, code)).map((o) => o.id);
    const bundle = await ctx.client().compartmentSearch({ resourceType: 'Observation', compartment: { resourceType: 'Patient', id: patient.id }, searchParams: { code, _count: 500 } });
    expect(sorted(matches(bundle).map((e: any) => e.resource.id))).to.deep.equal(sorted(expected));
  });

  it('token :text and quantity prefixes', async () => {
    const word = 'pressure';
    const textOf = (o: AnyResource): string[] => [o.code?.text, ...codings(o.code).map((c: any) => c.display)].filter(Boolean).map(fold);
    const expected = ofType('Observation').filter((o) => textOf(o).some((t) => t.startsWith(word) || t.includes(` ${word}`))).map((o) => o.id);
    const text = await ctx.client().search({ resourceType: 'Observation', searchParams: { 'code:text': word, _count: 1000 } });
    expect(sorted(matches(text).map((e) => e.resource.id))).to.deep.equal(sorted(expected));
    const heavy = ofType('Observation').filter((o) => typeof o.valueQuantity?.value === 'number' && o.valueQuantity.value > 100).map((o) => o.id);
    const gt = await ctx.client().search({ resourceType: 'Observation', searchParams: { 'value-quantity': 'gt100', _count: 1000 } });
    expect(sorted(matches(gt).map((e) => e.resource.id))).to.deep.equal(sorted(heavy));
  });

  it('system search with _type, and POST [type]/_search with a form body', async () => {
    const count = await ctx.client().systemSearch({ searchParams: { _type: 'Patient,Practitioner', _summary: 'count' } });
    expect(count.total).to.equal(ofType('Patient').length + ofType('Practitioner').length);
    const viaGet = await ctx.client().search({ resourceType: 'Patient', searchParams: { birthdate: 'le1970' } });
    const viaPost = await ctx.client().resourceSearch({ resourceType: 'Patient', searchParams: { birthdate: 'le1970' }, options: { postSearch: true } });
    expect(sorted(matches(viaPost).map((e) => e.resource.id))).to.deep.equal(sorted(matches(viaGet).map((e) => e.resource.id)));
  });

  it('Patient/[id]/* returns the whole compartment; [base]?_type= and [base]/_search search the system', async () => {
    const patient = ofType('Patient')[4]!;
    const members = data.filter((r) => r.id === patient.id || JSON.stringify(r).includes(`"Patient/${patient.id}"`));
    const everything = await ctx.http('GET', `Patient/${patient.id}/*?_count=1000`);
    expect(everything.status).to.equal(200);
    const found = matches(everything.json).map((e) => `${e.resource.resourceType}/${e.resource.id}`);
    expect(found).to.include(`Patient/${patient.id}`);
    expect(found.length).to.be.at.most(members.length).and.at.least(ofType('Encounter').filter((e) => refId(e.subject, 'Patient') === patient.id).length);
    const system = await ctx.http('GET', `?_type=Patient&_id=${patient.id}`);
    expect(matches(system.json).map((e) => e.resource.id)).to.deep.equal([patient.id]);
    const posted = await ctx.http('POST', '_search', { body: `_type=Patient&_id=${patient.id}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(matches(posted.json).map((e) => e.resource.id)).to.deep.equal([patient.id]);
    expectRawOutcome(await ctx.http('POST', 'Patient/_search', { body: '{}', headers: { 'Content-Type': 'application/json' } }), 415);
  });

  it('unknown parameters: reported in an outcome entry (lenient), 400 with Prefer: handling=strict', async () => {
    const lenient = await ctx.http('GET', 'Patient?gender=female&not-a-param=1');
    expect(lenient.status).to.equal(200);
    const outcome = lenient.json.entry.find((e: any) => e.search.mode === 'outcome');
    expect(outcome.resource.resourceType).to.equal('OperationOutcome');
    expect(lenient.json.link.find((l: any) => l.relation === 'self').url).to.equal(`${ctx.url()}/Patient?gender=female`);
    expect(matches(lenient.json).length).to.equal(ofType('Patient').filter((p) => p.gender === 'female').length);
    expectRawOutcome(await ctx.http('GET', 'Patient?gender=female&not-a-param=1', { headers: { Prefer: 'handling=strict' } }), 400);
    expectRawOutcome(await ctx.http('GET', 'Patient?birthdate=yesterday'), 400);
  });

  it('declares search in the CapabilityStatement', async () => {
    const cs: any = await ctx.client().capabilityStatement();
    const patient = cs.rest[0].resource.find((r: any) => r.type === 'Patient');
    expect(patient.interaction.map((i: any) => i.code)).to.include('search-type');
    expect(patient.searchParam.map((p: any) => p.name)).to.include.members(['name', 'birthdate', '_id', '_lastUpdated']);
    expect(cs.rest[0].interaction.map((i: any) => i.code)).to.include('search-system');
  });
});

withServer(
  'conformance: search with HEARTH_SEARCH_HANDLING=strict',
  (ctx) => {
    it('refuses unknown parameters with 400 unless the request prefers lenient handling', async () => {
      expectRawOutcome(await ctx.http('GET', 'Patient?not-a-param=1'), 400);
      const lenient = await ctx.http('GET', 'Patient?not-a-param=1', { headers: { Prefer: 'handling=lenient' } });
      expect(lenient.status).to.equal(200);
      expect(lenient.json.entry.map((e: any) => e.search.mode)).to.deep.equal(['outcome']);
      expect((await ctx.http('GET', 'Patient?gender=other')).status).to.equal(200);
    });
  },
  { env: { HEARTH_SEARCH_HANDLING: 'strict' } },
);

import type { CodeSystem, Observation, ValueSet } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { searchIndexRows } from '../search/index-rows';
import { forEachDatabase } from '../storage/test-databases';
import { BASE, rejected } from '../testing/fixtures';
import { marker, searchHarness, sorted, tagged, TAG_SYSTEM } from '../testing/search-fixtures';
import { create } from './create';
import { remove } from './delete';

/**
 * Token :in / :not-in / :above / :below through the terminology service, on both databases:
 * CodeSystems and ValueSets uploaded through the interactions count from their write on.
 */

forEachDatabase('search: terminology modifiers', (db) => {
  const h = searchHarness(db);
  const strict = searchHarness(db, { searchHandling: 'strict' });
  const m = marker('term');
  const scope = `_tag=${TAG_SYSTEM}|${m}`;
  const SYS = `http://example.org/CodeSystem/${m}`;
  const VS_INFECTION = `http://example.org/ValueSet/${m}/infection`;
  const VS_LISTED = `http://example.org/ValueSet/${m}/listed`;
  const ids: Record<string, string> = {};

  const codeSystem: CodeSystem = {
    resourceType: 'CodeSystem',
    url: SYS,
    status: 'active',
    content: 'complete',
    property: [{ code: 'parent', type: 'code' }],
    concept: [
      {
        code: 'disorder',
        concept: [{ code: 'infection', concept: [{ code: 'viral', concept: [{ code: 'flu' }] }, { code: 'bacterial' }] }],
      },
      { code: 'covid', property: [{ code: 'parent', valueCode: 'viral' }] },
    ],
  };
  const infection: ValueSet = {
    resourceType: 'ValueSet',
    url: VS_INFECTION,
    status: 'active',
    compose: { include: [{ system: SYS, filter: [{ property: 'concept', op: 'is-a', value: 'infection' }] }], exclude: [{ system: SYS, concept: [{ code: 'infection' }] }] },
  };
  const listed: ValueSet = {
    resourceType: 'ValueSet',
    url: VS_LISTED,
    status: 'active',
    compose: { include: [{ system: SYS, concept: [{ code: 'flu' }, { code: 'bacterial' }] }, { system: 'http://loinc.org', concept: [{ code: '8480-6' }] }] },
  };
  const obs = (code: Observation['code']): Observation => ({ resourceType: 'Observation', ...tagged(m), status: 'final', code });

  before(async () => {
    // Searched first, so that a cached answer would have to be invalidated by the uploads.
    expect((await rejected(h.bundle('Observation', `${scope}&code:in=${VS_INFECTION}`))).status).to.equal(400);
    ids.codeSystem = (await h.add(codeSystem)).id;
    ids.infection = (await h.add(infection)).id;
    ids.listed = (await h.add(listed)).id;
    for (const code of ['flu', 'bacterial', 'covid', 'disorder', 'viral']) ids[code] = (await h.add(obs({ coding: [{ system: SYS, code }] }))).id;
    ids.otherSystem = (await h.add(obs({ coding: [{ system: 'urn:other', code: 'flu' }] }))).id;
    ids.loinc = (await h.add(obs({ coding: [{ system: 'http://loinc.org', code: '8480-6' }] }))).id;
    ids.textOnly = (await h.add(obs({ text: 'no coding' }))).id;
  });
  const find = async (q: string) => sorted(await h.ids('Observation', `${scope}&${q}`));
  const of = (...names: string[]) => sorted(names.map((n) => ids[n]!));

  it(':in matches (system, code) pairs of an uploaded ValueSet right after the upload', async () => {
    expect(await find(`code:in=${VS_INFECTION}`)).to.deep.equal(of('flu', 'bacterial', 'covid', 'viral'));
    expect(await find(`code:in=${VS_LISTED}`)).to.deep.equal(of('flu', 'bacterial', 'loinc'));
    expect(await find(`code:in=${VS_LISTED}|`)).to.deep.equal(of('flu', 'bacterial', 'loinc'));
    expect((await rejected(h.bundle('Observation', `${scope}&code:in=${VS_LISTED}|9.9`))).status).to.equal(400);
  });

  it(':not-in keeps everything else, resources without a coding included', async () => {
    expect(await find(`code:not-in=${VS_INFECTION}`)).to.deep.equal(of('disorder', 'otherSystem', 'loinc', 'textOnly'));
  });

  it(':below and :above follow the hierarchy (nesting and the parent property)', async () => {
    expect(await find(`code:below=${SYS}|infection`)).to.deep.equal(of('flu', 'bacterial', 'covid', 'viral'));
    expect(await find(`code:below=${SYS}|viral`)).to.deep.equal(of('flu', 'covid', 'viral'));
    expect(await find(`code:below=${SYS}|flu`)).to.deep.equal(of('flu'));
    expect(await find(`code:above=${SYS}|flu`)).to.deep.equal(of('flu', 'viral', 'disorder'));
    expect(await find(`code:above=${SYS}|covid`)).to.deep.equal(of('covid', 'viral', 'disorder'));
    expect(await find(`code:below=${SYS}|covid,${SYS}|bacterial`)).to.deep.equal(of('covid', 'bacterial'));
  });

  it('a changed ValueSet or CodeSystem counts at once', async () => {
    await h.put({ ...listed, id: ids.listed!, compose: { include: [{ system: SYS, concept: [{ code: 'covid' }] }] } });
    expect(await find(`code:in=${VS_LISTED}`)).to.deep.equal(of('covid'));
    await h.put({ ...codeSystem, id: ids.codeSystem!, concept: [...codeSystem.concept!, { code: 'other', property: [{ code: 'parent', valueCode: 'bacterial' }] }] });
    expect(await find(`code:below=${SYS}|infection`)).to.deep.equal(of('flu', 'bacterial', 'covid', 'viral'));
    const extra = (await h.add(obs({ coding: [{ system: SYS, code: 'other' }] }))).id;
    expect(await find(`code:below=${SYS}|bacterial`)).to.deep.equal(sorted([ids.bacterial!, extra]));
    await remove(h.ctx(), { resourceType: 'ValueSet', id: ids.listed!, query: [], baseUrl: BASE });
    expect((await rejected(h.bundle('Observation', `${scope}&code:in=${VS_LISTED}`))).status).to.equal(400);
    await remove(h.ctx(), { resourceType: 'Observation', id: extra, query: [], baseUrl: BASE });
  });

  it('a ValueSet written by another process (no generation bump here) counts too, by the database stamp', async () => {
    const url = `http://example.org/ValueSet/${m}/elsewhere`;
    const content: ValueSet = { resourceType: 'ValueSet', id: `elsewhere-${m}`, url, status: 'active', compose: { include: [{ system: SYS, concept: [{ code: 'flu' }] }] } };
    const write = (vs: ValueSet, expectedVersionId: number | null) =>
      db.repository().write({ resourceType: 'ValueSet', id: vs.id!, content: vs, index: searchIndexRows(vs), expectedVersionId });
    await write(content, null);
    expect(await find(`code:in=${url}`)).to.deep.equal(of('flu'));
    await write({ ...content, compose: { include: [{ system: SYS, concept: [{ code: 'viral' }] }] } }, 1);
    expect(await find(`code:in=${url}`)).to.deep.equal(of('viral'));
  });

  it('unknown or non-enumerable ValueSets answer 400 naming the ValueSet', async () => {
    const unknown = await rejected(h.bundle('Observation', `${scope}&code:in=http://example.org/ValueSet/none`));
    expect(unknown.status).to.equal(400);
    expect(unknown.issues[0]!.diagnostics).to.contain('http://example.org/ValueSet/none');
    const loinc = await rejected(h.bundle('Observation', `${scope}&code:in=http://hl7.org/fhir/ValueSet/observation-codes`));
    expect(loinc.status).to.equal(400);
    expect(loinc.issues[0]!.diagnostics).to.contain('http://loinc.org');
  });

  it(':above / :below over a code system without a known hierarchy: ignored with a warning, or 400 when strict', async () => {
    const bundle = await h.bundle('Observation', `${scope}&code:below=http://snomed.info/sct|404684003`);
    const matches = (bundle.entry ?? []).filter((e) => e.search?.mode === 'match');
    expect(matches).to.have.length(Object.keys(ids).length - 3);
    const outcome = bundle.entry!.find((e) => e.search?.mode === 'outcome')!.resource as { issue: { diagnostics: string }[] };
    expect(outcome.issue[0]!.diagnostics).to.contain('http://snomed.info/sct');
    expect(bundle.link!.find((l) => l.relation === 'self')!.url).to.not.contain('below');
    expect((await rejected(strict.bundle('Observation', `${scope}&code:below=http://snomed.info/sct|404684003`))).status).to.equal(400);
    expect((await rejected(strict.bundle('Observation', `${scope}&code:above=flu`))).status).to.equal(400);
  });

  it('works inside _has, and in conditional criteria', async () => {
    const mp = marker('term-has');
    const p = await h.add({ resourceType: 'Patient', ...tagged(mp) });
    await h.add({ ...obs({ coding: [{ system: SYS, code: 'covid' }] }), meta: tagged(mp).meta, subject: { reference: `Patient/${p.id}` } });
    expect(await h.ids('Patient', `_tag=${TAG_SYSTEM}|${mp}&_has:Observation:subject:code:in=${VS_INFECTION}`)).to.deep.equal([p.id]);
    expect(await h.ids('Patient', `_tag=${TAG_SYSTEM}|${mp}&_has:Observation:subject:code:below=${SYS}|bacterial`)).to.deep.equal([]);
    const again = await create(h.ctx(), { resourceType: 'Observation', query: [], baseUrl: BASE, body: obs({ coding: [{ system: SYS, code: 'flu' }] }), ifNoneExist: `_id=${ids.flu}&code:below=${SYS}|viral` });
    expect(again.status).to.equal(200);
    expect(again.resource!.id).to.equal(ids.flu);
    const refused = await rejected(create(h.ctx(), { resourceType: 'Observation', query: [], baseUrl: BASE, body: obs({ text: 'x' }), ifNoneExist: 'code:below=http://snomed.info/sct|1' }));
    expect(refused.status).to.equal(400);
  });

  it('R4 terminology: Encounter.class :below and :in over v3-ActCode', async () => {
    const me = marker('term-enc');
    const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
    const enc = async (code: string) => (await h.add({ resourceType: 'Encounter', ...tagged(me), status: 'finished', class: { system: ACT, code } })).id;
    const amb = await enc('AMB');
    const emer = await enc('EMER');
    const cash = await enc('CASH');
    const s = `_tag=${TAG_SYSTEM}|${me}`;
    expect(sorted(await h.ids('Encounter', `${s}&class:below=${ACT}|_ActEncounterCode`))).to.deep.equal(sorted([amb, emer]));
    expect(sorted(await h.ids('Encounter', `${s}&class:in=http://terminology.hl7.org/ValueSet/v3-ActEncounterCode`))).to.deep.equal(sorted([amb, emer]));
    expect(await h.ids('Encounter', `${s}&class:above=${ACT}|CASH`)).to.deep.equal([cash]);
    expect(await h.ids('Encounter', `${s}&class:not-in=http://hl7.org/fhir/ValueSet/account-type`)).to.have.members([amb, emer]);
  });

  it('canonical references :below / :above by path segment', async () => {
    const mc = marker('term-canon');
    const qr = async (questionnaire: string) => (await h.add({ resourceType: 'QuestionnaireResponse', ...tagged(mc), status: 'completed', questionnaire })).id;
    const phq = await qr('http://q.org/Questionnaire/phq|2.0');
    const gad = await qr('http://q.org/Questionnaire/gad');
    const other = await qr('http://other.org/Questionnaire/phq');
    const s = `_tag=${TAG_SYSTEM}|${mc}`;
    expect(sorted(await h.ids('QuestionnaireResponse', `${s}&questionnaire:below=http://q.org/Questionnaire`))).to.deep.equal(sorted([phq, gad]));
    expect(await h.ids('QuestionnaireResponse', `${s}&questionnaire:above=http://other.org/Questionnaire/phq/sub`)).to.deep.equal([other]);
    expect((await rejected(strict.bundle('QuestionnaireResponse', `${s}&questionnaire:below=Questionnaire/1`))).status).to.equal(400);
  });
});

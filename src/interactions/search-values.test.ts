import { expect } from 'chai';
import { forEachDatabase } from '../storage/test-databases';
import { BASE } from '../testing/fixtures';
import { marker, searchHarness, sorted, tagged, TAG_SYSTEM } from '../testing/search-fixtures';

/** Search by string, token, uri and reference parameters, with their modifiers, on both databases. */

forEachDatabase('search: string, token, uri and reference parameters', (db) => {
  const h = searchHarness(db);

  describe('string', () => {
    const m = marker('str');
    const scope = `_tag=${TAG_SYSTEM}|${m}`;
    const ids: Record<string, string> = {};
    before(async () => {
      ids.muller = (await h.add({ resourceType: 'Patient', ...tagged(m), name: [{ family: 'Müller', given: ['Anna'] }] })).id;
      ids.mullerson = (await h.add({ resourceType: 'Patient', ...tagged(m), name: [{ family: 'Mullerson', given: ['Bob'] }] })).id;
      ids.smith = (await h.add({ resourceType: 'Patient', ...tagged(m), name: [{ family: 'Smith', given: ['Eve'] }] })).id;
      ids.nameless = (await h.add({ resourceType: 'Patient', ...tagged(m), gender: 'unknown' })).id;
    });
    const find = async (q: string) => sorted(await h.ids('Patient', `${scope}&${q}`));
    const of = (...names: string[]) => sorted(names.map((n) => ids[n]!));

    it('matches the start of the text, ignoring case and accents', async () => {
      expect(await find('name=muller')).to.deep.equal(of('muller', 'mullerson'));
      expect(await find('name=MÜL')).to.deep.equal(of('muller', 'mullerson'));
      expect(await find('family=ller')).to.deep.equal([]);
      expect(await find('given=eve')).to.deep.equal(of('smith'));
    });

    it(':exact compares the whole text with case and accents', async () => {
      expect(await find('family:exact=Müller')).to.deep.equal(of('muller'));
      expect(await find('family:exact=muller')).to.deep.equal([]);
      expect(await find('family:exact=Mül')).to.deep.equal([]);
    });

    it(':contains matches anywhere', async () => {
      expect(await find('family:contains=LLER')).to.deep.equal(of('muller', 'mullerson'));
      expect(await find('name:contains=mit')).to.deep.equal(of('smith'));
    });

    it(':missing', async () => {
      expect(await find('family:missing=true')).to.deep.equal(of('nameless'));
      expect(await find('family:missing=false')).to.deep.equal(of('muller', 'mullerson', 'smith'));
    });

    it('comma is OR, repetition is AND', async () => {
      expect(await find('family=smi,mullers')).to.deep.equal(of('mullerson', 'smith'));
      expect(await find('family=mul&given=anna')).to.deep.equal(of('muller'));
      expect(await find('family=mul&given=eve')).to.deep.equal([]);
    });

    it('phonetic parameters compare sounds', async () => {
      expect(await find('phonetic=Smyth')).to.deep.equal(of('smith'));
    });
  });

  describe('token', () => {
    const m = marker('tok');
    const scope = `_tag=${TAG_SYSTEM}|${m}`;
    const ids: Record<string, string> = {};
    const obs = (code: object, extra: object = {}) => ({ resourceType: 'Observation' as const, ...tagged(m), status: 'final' as const, code, ...extra });
    before(async () => {
      ids.sys = (await h.add(obs({ coding: [{ system: 'http://loinc.org', code: '8480-6', display: 'Systolic blood pressure' }] }))).id;
      ids.dia = (await h.add(obs({ coding: [{ system: 'http://loinc.org', code: '8462-4', display: 'Diastolic blood pressure' }] }, { status: 'amended' }))).id;
      ids.nosys = (await h.add(obs({ coding: [{ code: '8480-6' }], text: 'Something else' }, { status: 'preliminary' }))).id;
      ids.textonly = (await h.add(obs({ text: 'Free text only' }, { status: 'cancelled' }))).id;
    });
    const find = async (q: string) => sorted(await h.ids('Observation', `${scope}&${q}`));
    const of = (...names: string[]) => sorted(names.map((n) => ids[n]!));

    it('code, system|code, |code and system|', async () => {
      expect(await find('code=8480-6')).to.deep.equal(of('sys', 'nosys'));
      expect(await find('code=http://loinc.org|8480-6')).to.deep.equal(of('sys'));
      expect(await find('code=|8480-6')).to.deep.equal(of('nosys'));
      expect(await find('code=http://loinc.org|')).to.deep.equal(of('sys', 'dia'));
      expect(await find('code=http://snomed.info/sct|8480-6')).to.deep.equal([]);
      expect(await find('code=8480-6,8462-4')).to.deep.equal(of('sys', 'dia', 'nosys'));
    });

    it(':not excludes matches and keeps resources without the element', async () => {
      expect(await find('code:not=8480-6')).to.deep.equal(of('dia', 'textonly'));
      expect(await find('code:not=http://loinc.org|8480-6')).to.deep.equal(of('dia', 'nosys', 'textonly'));
    });

    it(':text matches the start of any word of displays and texts', async () => {
      expect(await find('code:text=blood')).to.deep.equal(of('sys', 'dia'));
      expect(await find('code:text=PRESS')).to.deep.equal(of('sys', 'dia'));
      expect(await find('code:text=free text')).to.deep.equal(of('textonly'));
      expect(await find('code:text=ssure')).to.deep.equal([]);
    });

    it(':in and :not-in expand R4 ValueSets', async () => {
      expect(await find('status:in=http://hl7.org/fhir/ValueSet/observation-status')).to.deep.equal(of('sys', 'dia', 'nosys', 'textonly'));
      expect(await find('status:not-in=http://hl7.org/fhir/ValueSet/observation-status')).to.deep.equal([]);
      const err = await h.bundle('Observation', 'status:in=http://example.org/unknown-vs').catch((e: Error & { status?: number }) => e);
      expect((err as { status?: number }).status).to.equal(400);
    });

    it(':missing, and codes of code-typed elements', async () => {
      expect(await find('category:missing=true')).to.deep.equal(of('sys', 'dia', 'nosys', 'textonly'));
      expect(await find('status=final,amended')).to.deep.equal(of('sys', 'dia'));
    });

    it('identifiers, :of-type and booleans', async () => {
      const mt = marker('ident');
      const mr = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] };
      const a = await h.add({ resourceType: 'Patient', ...tagged(mt), active: true, identifier: [{ system: 'urn:mrn', value: 'A-1', type: mr }] });
      const b = await h.add({ resourceType: 'Patient', ...tagged(mt), active: false, identifier: [{ system: 'urn:other', value: 'A-1' }] });
      const s = `_tag=${TAG_SYSTEM}|${mt}`;
      expect(sorted(await h.ids('Patient', `${s}&identifier=A-1`))).to.deep.equal(sorted([a.id, b.id]));
      expect(await h.ids('Patient', `${s}&identifier=urn:mrn|A-1`)).to.deep.equal([a.id]);
      expect(await h.ids('Patient', `${s}&identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|A-1`)).to.deep.equal([a.id]);
      expect(await h.ids('Patient', `${s}&identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|B-2`)).to.deep.equal([]);
      expect(await h.ids('Patient', `${s}&active=true`)).to.deep.equal([a.id]);
      expect(await h.ids('Patient', `${s}&active:not=true`)).to.deep.equal([b.id]);
    });
  });

  describe('uri', () => {
    const m = marker('uri');
    const scope = `_tag=${TAG_SYSTEM}|${m}`;
    const ids: Record<string, string> = {};
    before(async () => {
      ids.vs = (await h.add({ resourceType: 'ValueSet', ...tagged(m), status: 'active', url: 'http://acme.org/fhir/ValueSet/123' })).id;
      ids.sub = (await h.add({ resourceType: 'ValueSet', ...tagged(m), status: 'active', url: 'http://acme.org/fhir/ValueSet/123/sub' })).id;
      ids.other = (await h.add({ resourceType: 'ValueSet', ...tagged(m), status: 'active', url: 'http://acme.org/fhir/ValueSet/1234' })).id;
    });
    const find = async (q: string) => sorted(await h.ids('ValueSet', `${scope}&${q}`));
    const of = (...names: string[]) => sorted(names.map((n) => ids[n]!));

    it('matches exactly by default', async () => {
      expect(await find('url=http://acme.org/fhir/ValueSet/123')).to.deep.equal(of('vs'));
      expect(await find('url=http://acme.org/fhir/ValueSet')).to.deep.equal([]);
    });

    it(':below matches the URI and those under it, by path segment', async () => {
      expect(await find('url:below=http://acme.org/fhir/ValueSet/123')).to.deep.equal(of('vs', 'sub'));
      expect(await find('url:below=http://acme.org/fhir')).to.deep.equal(of('vs', 'sub', 'other'));
    });

    it(':above matches the URI and those it lies under', async () => {
      expect(await find('url:above=http://acme.org/fhir/ValueSet/123/sub/deeper')).to.deep.equal(of('vs', 'sub'));
      expect(await find('url:above=http://acme.org/fhir/ValueSet/1234')).to.deep.equal(of('other'));
    });

    it('_profile and _source are uri parameters on meta', async () => {
      const mp = marker('prof');
      const p = await h.add({ resourceType: 'Patient', meta: { tag: tagged(mp).meta.tag, profile: ['http://example.org/StructureDefinition/p1'], source: 'http://source.example.org/feed#1' } });
      expect(await h.ids('Patient', `_tag=${TAG_SYSTEM}|${mp}&_profile=http://example.org/StructureDefinition/p1`)).to.deep.equal([p.id]);
      expect(await h.ids('Patient', `_tag=${TAG_SYSTEM}|${mp}&_source=http://source.example.org/feed#1`)).to.deep.equal([p.id]);
      expect(await h.ids('Patient', `_tag=${TAG_SYSTEM}|${mp}&_profile=http://example.org/StructureDefinition/p2`)).to.deep.equal([]);
    });
  });

  describe('reference', () => {
    const m = marker('ref');
    const scope = `_tag=${TAG_SYSTEM}|${m}`;
    const ids: Record<string, string> = {};
    const obs = (extra: object) => ({ resourceType: 'Observation' as const, ...tagged(m), status: 'final' as const, code: { text: 'x' }, ...extra });
    before(async () => {
      ids.patient = (await h.add({ resourceType: 'Patient', ...tagged(m) })).id;
      ids.group = (await h.put({ resourceType: 'Group', id: ids.patient, type: 'person', actual: true, ...tagged(m) })).id;
      ids.relative = (await h.add(obs({ subject: { reference: `Patient/${ids.patient}` } }))).id;
      ids.absolute = (await h.add(obs({ subject: { reference: `${BASE}/Patient/${ids.patient}/_history/1` } }))).id;
      ids.toGroup = (await h.add(obs({ subject: { reference: `Group/${ids.group}` } }))).id;
      ids.foreign = (await h.add(obs({ subject: { reference: 'http://other.org/fhir/Patient/x9' } }))).id;
      ids.byIdentifier = (await h.add(obs({ subject: { identifier: { system: 'urn:mrn', value: 'M-7' } } }))).id;
      ids.none = (await h.add(obs({}))).id;
    });
    const find = async (q: string) => sorted(await h.ids('Observation', `${scope}&${q}`));
    const of = (...names: string[]) => sorted(names.map((n) => ids[n]!));

    it('Type/id, absolute URLs under the base, and versions', async () => {
      expect(await find(`subject=Patient/${ids.patient}`)).to.deep.equal(of('relative', 'absolute'));
      expect(await find(`subject=${BASE}/Patient/${ids.patient}`)).to.deep.equal(of('relative', 'absolute'));
      expect(await find(`subject=Patient/${ids.patient}/_history/1`)).to.deep.equal(of('absolute'));
    });

    it('a bare id matches every target type; :Type narrows it', async () => {
      expect(await find(`subject=${ids.patient}`)).to.deep.equal(of('relative', 'absolute', 'toGroup'));
      expect(await find(`subject:Group=${ids.patient}`)).to.deep.equal(of('toGroup'));
      expect(await find(`patient=${ids.patient}`)).to.deep.equal(of('relative', 'absolute'));
    });

    it('other absolute URLs match as written, and never as a local resource of the same type and id', async () => {
      expect(await find('subject=http://other.org/fhir/Patient/x9')).to.deep.equal(of('foreign'));
      await h.put({ resourceType: 'Patient', id: 'x9', ...tagged(m), name: [{ family: 'Local' }] });
      expect(await find('subject=Patient/x9')).to.deep.equal([]);
      expect(await find('subject=x9')).to.deep.equal([]);
      expect(await find('subject:Patient.name=local')).to.deep.equal([]);
      const included = await h.bundle('Observation', `${scope}&_id=${ids.foreign}&_include=Observation:subject`);
      expect(included.entry!.map((e) => e.search?.mode)).to.deep.equal(['match']);
      expect(await h.ids('Patient', `${scope}&_has:Observation:subject:code:text=x`)).to.deep.equal([ids.patient]);
    });

    it(':identifier matches Reference.identifier', async () => {
      expect(await find('subject:identifier=urn:mrn|M-7')).to.deep.equal(of('byIdentifier'));
      expect(await find('subject:identifier=M-7')).to.deep.equal(of('byIdentifier'));
      expect(await find('subject:identifier=urn:other|M-7')).to.deep.equal([]);
    });

    it(':missing', async () => {
      expect(await find('subject:missing=true')).to.deep.equal(of('byIdentifier', 'none'));
    });

    it('canonical references with |version', async () => {
      const mc = marker('canon');
      const a = await h.add({ resourceType: 'QuestionnaireResponse', ...tagged(mc), status: 'completed', questionnaire: 'http://q.org/Questionnaire/phq|2.0' });
      const b = await h.add({ resourceType: 'QuestionnaireResponse', ...tagged(mc), status: 'completed', questionnaire: 'http://q.org/Questionnaire/phq' });
      const s = `_tag=${TAG_SYSTEM}|${mc}`;
      expect(sorted(await h.ids('QuestionnaireResponse', `${s}&questionnaire=http://q.org/Questionnaire/phq`))).to.deep.equal(sorted([a.id, b.id]));
      expect(await h.ids('QuestionnaireResponse', `${s}&questionnaire=http://q.org/Questionnaire/phq|2.0`)).to.deep.equal([a.id]);
    });
  });
});

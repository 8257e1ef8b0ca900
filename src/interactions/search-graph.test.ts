import { expect } from 'chai';
import { forEachDatabase } from '../storage/test-databases';
import { marker, searchHarness, sorted, tagged, TAG_SYSTEM } from '../testing/search-fixtures';

/** Chains, _has, row-level parameters (_id, _tag, _security, _text, _content, _list), compartments and system search. */

forEachDatabase('search: chains, _has, special parameters, compartments and system search', (db) => {
  const h = searchHarness(db);
  const m = marker('graph');
  const scope = `_tag=${TAG_SYSTEM}|${m}`;
  const ids: Record<string, string> = {};
  const of = (...names: string[]) => sorted(names.map((n) => ids[n]!));
  const obs = (code: string, subject: string, extra: object = {}) => ({
    resourceType: 'Observation' as const, ...tagged(m), status: 'final' as const,
    code: { coding: [{ system: 'http://loinc.org', code }] }, subject: { reference: subject }, ...extra,
  });

  before(async () => {
    ids.acme = (await h.add({ resourceType: 'Organization', ...tagged(m), name: 'Acme Health' })).id;
    ids.other = (await h.add({ resourceType: 'Organization', ...tagged(m), name: 'Other Care' })).id;
    ids.peter = (await h.add({
      resourceType: 'Patient', ...tagged(m), name: [{ family: 'Chalmers', given: ['Peter'] }], managingOrganization: { reference: `Organization/${ids.acme}` },
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Peter has a persistent cough</div>' },
    })).id;
    ids.anna = (await h.add({ resourceType: 'Patient', ...tagged(m), name: [{ family: 'Smith', given: ['Anna'] }], managingOrganization: { reference: `Organization/${ids.other}` } })).id;
    ids.lonely = (await h.add({ resourceType: 'Patient', ...tagged(m), name: [{ family: 'Lonely' }] })).id;
    ids.group = (await h.add({ resourceType: 'Group', ...tagged(m), type: 'person', actual: true, name: 'Peter group' })).id;
    ids.o1 = (await h.add(obs('8480-6', `Patient/${ids.peter}`))).id;
    ids.o2 = (await h.add(obs('8462-4', `Patient/${ids.anna}`, { meta: { tag: tagged(m).meta.tag, security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] } }))).id;
    ids.o3 = (await h.add(obs('8480-6', `Group/${ids.group}`))).id;
    ids.ward = (await h.add({ resourceType: 'Location', ...tagged(m), name: 'Peterson ward' })).id;
    ids.o4 = (await h.add(obs('8310-5', `Location/${ids.ward}`))).id;
    ids.enc = (await h.add({ resourceType: 'Encounter', ...tagged(m), status: 'finished', class: { code: 'AMB' }, subject: { reference: `Patient/${ids.peter}` } })).id;
    ids.list = (await h.add({ resourceType: 'List', ...tagged(m), status: 'current', mode: 'working', entry: [{ item: { reference: `Patient/${ids.anna}` } }, { item: { reference: `Observation/${ids.o1}` } }] })).id;
  });

  describe('chains', () => {
    it('follow a typed reference to a parameter of the target', async () => {
      expect(await h.ids('Observation', `${scope}&subject:Patient.name=peter`)).to.deep.equal([ids.o1]);
      expect(sorted(await h.ids('Observation', `${scope}&subject:Patient.name=peter,anna`))).to.deep.equal(of('o1', 'o2'));
    });

    it('without a type, try every target type defining the parameter (Group has no name)', async () => {
      expect(sorted(await h.ids('Observation', `${scope}&subject.name=peter`))).to.deep.equal(of('o1', 'o4'));
    });

    it('chain to any depth', async () => {
      expect(await h.ids('Observation', `${scope}&subject:Patient.organization.name=acme`)).to.deep.equal([ids.o1]);
      expect(await h.ids('Observation', `${scope}&patient.organization.name=other`)).to.deep.equal([ids.o2]);
      expect(await h.ids('Observation', `${scope}&patient.organization._id=${ids.acme}`)).to.deep.equal([ids.o1]);
    });

    it('combine with other criteria (AND)', async () => {
      expect(await h.ids('Observation', `${scope}&subject:Patient.name=peter&code=8462-4`)).to.deep.equal([]);
    });
  });

  describe('_has', () => {
    it('selects resources referred to by matching resources', async () => {
      expect(await h.ids('Patient', `${scope}&_has:Observation:patient:code=8480-6`)).to.deep.equal([ids.peter]);
      expect(sorted(await h.ids('Patient', `${scope}&_has:Observation:subject:code=8480-6,8462-4`))).to.deep.equal(of('peter', 'anna'));
      expect(await h.ids('Group', `${scope}&_has:Observation:subject:code=8480-6`)).to.deep.equal([ids.group]);
    });

    it('nests, and chains inside', async () => {
      expect(await h.ids('Organization', `${scope}&_has:Patient:organization:_has:Observation:patient:code=8462-4`)).to.deep.equal([ids.other]);
      expect(await h.ids('Patient', `${scope}&_has:Observation:patient:subject:Patient.name=anna`)).to.deep.equal([ids.anna]);
    });

    it('AND-s with other parameters', async () => {
      expect(await h.ids('Patient', `${scope}&_has:Observation:patient:code=8480-6&_has:Encounter:patient:status=finished`)).to.deep.equal([ids.peter]);
      expect(await h.ids('Patient', `${scope}&_has:Observation:patient:code=8462-4&_has:Encounter:patient:status=finished`)).to.deep.equal([]);
    });
  });

  describe('row and meta parameters', () => {
    it('_id and _id:not', async () => {
      expect(sorted(await h.ids('Patient', `${scope}&_id=${ids.peter},${ids.anna},nope`))).to.deep.equal(of('peter', 'anna'));
      expect(sorted(await h.ids('Patient', `${scope}&_id:not=${ids.peter}`))).to.deep.equal(of('anna', 'lonely'));
    });

    it('_tag and _security', async () => {
      expect(await h.ids('Observation', `${scope}&_security=R`)).to.deep.equal([ids.o2]);
      expect(sorted(await h.ids('Observation', `${scope}&_security:not=R`))).to.deep.equal(of('o1', 'o3', 'o4'));
      expect(await h.ids('Observation', `_tag=${TAG_SYSTEM}|no-such-marker`)).to.deep.equal([]);
    });

    it('_text searches the narrative, _content the whole resource', async () => {
      expect(await h.ids('Patient', `${scope}&_text=cough`)).to.deep.equal([ids.peter]);
      expect(await h.ids('Patient', `${scope}&_text=persistent cough`)).to.deep.equal([ids.peter]);
      expect(await h.ids('Patient', `${scope}&_text=sneeze`)).to.deep.equal([]);
      expect(await h.ids('Patient', `${scope}&_content=Chalmers`)).to.deep.equal([ids.peter]);
      expect(sorted(await h.ids('Patient', `${scope}&_content=Chalmers or Smith`))).to.deep.equal(of('peter', 'anna'));
    });

    it('_list selects the members of a List', async () => {
      expect(await h.ids('Patient', `${scope}&_list=${ids.list}`)).to.deep.equal([ids.anna]);
      expect(await h.ids('Observation', `${scope}&_list=${ids.list}`)).to.deep.equal([ids.o1]);
    });
  });

  describe('compartments', () => {
    it('Patient/[id]/[type] searches the resources of that patient', async () => {
      const bundle = await h.bundle('Observation', scope, { compartment: { type: 'Patient', id: ids.peter } });
      expect(bundle.entry?.map((e) => e.resource!.id)).to.deep.equal([ids.o1]);
      expect(bundle.link?.find((l) => l.relation === 'self')?.url).to.match(new RegExp(`/Patient/${ids.peter}/Observation\\?`));
      expect(await h.ids('Observation', `${scope}&code=8462-4`, { compartment: { type: 'Patient', id: ids.peter } })).to.deep.equal([]);
    });

    it('Patient/[id]/* searches every type of the compartment, the patient included', async () => {
      const found = await h.bundle(undefined, scope, { compartment: { type: 'Patient', id: ids.peter } });
      expect(sorted(found.entry!.map((e) => `${e.resource!.resourceType}/${e.resource!.id}`))).to.deep.equal(
        sorted([`Patient/${ids.peter}`, `Observation/${ids.o1}`, `Encounter/${ids.enc}`]),
      );
    });

    it('refuses types outside the compartment and other compartments', async () => {
      for (const [type, comp] of [['Organization', 'Patient'], ['Observation', 'Practitioner']] as const) {
        const err = await h.bundle(type, '', { compartment: { type: comp, id: 'x' } }).catch((e: { status?: number }) => e);
        expect((err as { status?: number }).status).to.equal(404);
      }
    });
  });

  describe('system search', () => {
    it('searches the types named by _type with their common parameters', async () => {
      const found = await h.bundle(undefined, `_type=Patient,Organization&${scope}&name=acme,peter`);
      expect(sorted(found.entry!.map((e) => `${e.resource!.resourceType}/${e.resource!.id}`))).to.deep.equal(sorted([`Organization/${ids.acme}`, `Patient/${ids.peter}`]));
    });

    it('searches every type without _type', async () => {
      const found = await h.bundle(undefined, `${scope}&_id=${ids.peter},${ids.o1},${ids.acme}`);
      expect(found.entry).to.have.length(3);
    });
  });
});

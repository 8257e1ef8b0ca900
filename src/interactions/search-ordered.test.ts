import { expect } from 'chai';
import { forEachDatabase } from '../storage/test-databases';
import { marker, searchHarness, sorted, tagged, TAG_SYSTEM } from '../testing/search-fixtures';

/** Search by date, number, quantity and composite parameters with every prefix, on both databases. */

forEachDatabase('search: date, number, quantity and composite parameters', (db) => {
  const h = searchHarness(db, { now: () => new Date('2026-01-01T00:00:00Z') });

  describe('date', () => {
    const m = marker('date');
    const scope = `_tag=${TAG_SYSTEM}|${m}`;
    const ids: Record<string, string> = {};
    const obs = (effective: object) => ({ resourceType: 'Observation' as const, ...tagged(m), status: 'final' as const, code: { text: 'x' }, ...effective });
    before(async () => {
      ids.day = (await h.add(obs({ effectiveDateTime: '2020-01-15' }))).id;
      ids.second = (await h.add(obs({ effectiveDateTime: '2020-06-30T23:00:00Z' }))).id;
      ids.year = (await h.add(obs({ effectiveDateTime: '2021' }))).id;
      ids.period = (await h.add(obs({ effectivePeriod: { start: '2019-12-01', end: '2020-02-01' } }))).id;
      ids.open = (await h.add(obs({ effectivePeriod: { start: '2020-03-01' } }))).id;
      ids.none = (await h.add(obs({}))).id;
    });
    const find = async (q: string) => sorted(await h.ids('Observation', `${scope}&${q}`));
    const of = (...names: string[]) => sorted(names.map((n) => ids[n]!));

    it('eq: the search range contains the value range', async () => {
      expect(await find('date=2020')).to.deep.equal(of('day', 'second'));
      expect(await find('date=eq2020-01')).to.deep.equal(of('day'));
      expect(await find('date=2020-06-30T23:00:00Z')).to.deep.equal(of('second'));
      expect(await find('date=2020-07-01T01:00:00%2B02:00')).to.deep.equal(of('second'));
      expect(await find('date=2021-06')).to.deep.equal([]);
    });

    it('ne: it does not', async () => {
      expect(await find('date=ne2020')).to.deep.equal(of('year', 'period', 'open'));
    });

    it('gt and lt: the range above / below the search value overlaps the value', async () => {
      expect(await find('date=gt2020')).to.deep.equal(of('year', 'open'));
      expect(await find('date=lt2020')).to.deep.equal(of('period'));
      expect(await find('date=gt2020-06-30T22:59:59Z')).to.deep.equal(of('second', 'year', 'open'));
    });

    it('ge and le: gt or eq, lt or eq', async () => {
      expect(await find('date=ge2020')).to.deep.equal(of('day', 'second', 'year', 'open'));
      expect(await find('date=le2020')).to.deep.equal(of('day', 'second', 'period'));
    });

    it('sa and eb: starts after / ends before the search range', async () => {
      expect(await find('date=sa2020')).to.deep.equal(of('year'));
      expect(await find('date=eb2020-02')).to.deep.equal(of('day'));
      expect(await find('date=eb2019')).to.deep.equal([]);
    });

    it('ap: overlaps the search range widened by 10% of its distance from now', async () => {
      expect(await find('date=ap2020-01-15')).to.deep.equal(of('day', 'second', 'period', 'open'));
      expect(await find('date=ap2025-12-31')).to.deep.equal(of('open'));
    });

    it('ranges of AND-ed prefixes, OR-ed values, and :missing', async () => {
      expect(await find('date=ge2020-01-01&date=lt2020-07-01')).to.deep.equal(of('day', 'second', 'period', 'open'));
      expect(await find('date=2021,2020-01')).to.deep.equal(of('day', 'year'));
      expect(await find('date:missing=true')).to.deep.equal(of('none'));
    });

    it('birthdate=le1970 on Patient', async () => {
      const mp = marker('birth');
      const old = await h.add({ resourceType: 'Patient', ...tagged(mp), birthDate: '1970-12-31' });
      await h.add({ resourceType: 'Patient', ...tagged(mp), birthDate: '1971-01-01' });
      expect(await h.ids('Patient', `_tag=${TAG_SYSTEM}|${mp}&birthdate=le1970`)).to.deep.equal([old.id]);
    });

    it('_lastUpdated compares meta.lastUpdated as an instant', async () => {
      const ml = marker('lu');
      const a = await h.add({ resourceType: 'Basic', ...tagged(ml), code: { text: 'a' } });
      const b = await h.add({ resourceType: 'Basic', ...tagged(ml), code: { text: 'b' } });
      const s = `_tag=${TAG_SYSTEM}|${ml}`;
      expect(await h.ids('Basic', `${s}&_lastUpdated=${encodeURIComponent(a.meta!.lastUpdated!)}`)).to.deep.equal([a.id]);
      expect(await h.ids('Basic', `${s}&_lastUpdated=gt${encodeURIComponent(a.meta!.lastUpdated!)}`)).to.deep.equal([b.id]);
      expect(await h.ids('Basic', `${s}&_lastUpdated=lt${encodeURIComponent(b.meta!.lastUpdated!)}`)).to.deep.equal([a.id]);
      expect(sorted(await h.ids('Basic', `${s}&_lastUpdated=ge2000`))).to.deep.equal(sorted([a.id, b.id]));
    });
  });

  describe('number', () => {
    const m = marker('num');
    const scope = `_tag=${TAG_SYSTEM}|${m}`;
    const ids: Record<string, string> = {};
    const risk = (p: number) => ({ resourceType: 'RiskAssessment' as const, ...tagged(m), status: 'final' as const, subject: { display: 'x' }, prediction: [{ probabilityDecimal: p }] });
    before(async () => {
      ids.half = (await h.add(risk(0.5))).id;
      ids.more = (await h.add(risk(0.55))).id;
      ids.low = (await h.add(risk(0.123))).id;
    });
    const find = async (q: string) => sorted(await h.ids('RiskAssessment', `${scope}&${q}`));
    const of = (...names: string[]) => sorted(names.map((n) => ids[n]!));

    it('eq uses the implicit precision of the search value', async () => {
      expect(await find('probability=0.5')).to.deep.equal(of('half'));
      expect(await find('probability=0.50')).to.deep.equal(of('half'));
      expect(await find('probability=0.1')).to.deep.equal(of('low'));
      expect(await find('probability=0.12')).to.deep.equal(of('low'));
      expect(await find('probability=0.13')).to.deep.equal([]);
    });

    it('gt, ge, lt, le, sa, eb compare exactly; ne negates eq; ap is within 10%', async () => {
      expect(await find('probability=gt0.5')).to.deep.equal(of('more'));
      expect(await find('probability=ge0.5')).to.deep.equal(of('half', 'more'));
      expect(await find('probability=lt0.5')).to.deep.equal(of('low'));
      expect(await find('probability=le0.5')).to.deep.equal(of('half', 'low'));
      expect(await find('probability=sa0.5')).to.deep.equal(of('more'));
      expect(await find('probability=eb0.5')).to.deep.equal(of('low'));
      expect(await find('probability=ne0.5')).to.deep.equal(of('more', 'low'));
      expect(await find('probability=ap0.5')).to.deep.equal(of('half', 'more'));
      expect(await find('probability=gt1e-1&probability=lt5e-1')).to.deep.equal(of('low'));
    });
  });

  describe('quantity', () => {
    const m = marker('qty');
    const scope = `_tag=${TAG_SYSTEM}|${m}`;
    const ids: Record<string, string> = {};
    const obs = (code: string, valueQuantity: object) => ({
      resourceType: 'Observation' as const, ...tagged(m), status: 'final' as const,
      code: { coding: [{ system: 'http://loinc.org', code }] }, valueQuantity,
    });
    before(async () => {
      ids.bp = (await h.add(obs('8480-6', { value: 120, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' }))).id;
      ids.mg = (await h.add(obs('1234-5', { value: 5.4, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' }))).id;
      ids.kg = (await h.add(obs('29463-7', { value: 100, unit: 'kg' }))).id;
      ids.dia = (await h.add(obs('8462-4', { value: 80, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' }))).id;
      ids.panel = (await h.add({
        resourceType: 'Observation', ...tagged(m), status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
        component: [
          { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 130, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
          { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 85, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
        ],
      })).id;
    });
    const find = async (q: string) => sorted(await h.ids('Observation', `${scope}&${q}`));
    const of = (...names: string[]) => sorted(names.map((n) => ids[n]!));

    it('number with prefixes', async () => {
      expect(await find('value-quantity=120')).to.deep.equal(of('bp'));
      expect(await find('value-quantity=gt100')).to.deep.equal(of('bp'));
      expect(await find('value-quantity=ge100')).to.deep.equal(of('bp', 'kg'));
      expect(await find('value-quantity=lt10')).to.deep.equal(of('mg'));
      expect(await find('value-quantity=5')).to.deep.equal(of('mg'));
      expect(await find('value-quantity=5.4')).to.deep.equal(of('mg'));
      expect(await find('value-quantity=5.40')).to.deep.equal(of('mg'));
    });

    it('system|code, ||code (code or unit), and mismatching units', async () => {
      expect(await find('value-quantity=120|http://unitsofmeasure.org|mm[Hg]')).to.deep.equal(of('bp'));
      expect(await find('value-quantity=120||mmHg')).to.deep.equal(of('bp'));
      expect(await find('value-quantity=ge5||mg')).to.deep.equal(of('mg'));
      expect(await find('value-quantity=100||kg')).to.deep.equal(of('kg'));
      expect(await find('value-quantity=5.4|http://unitsofmeasure.org|kg')).to.deep.equal([]);
      expect(await find('component-value-quantity=gt125')).to.deep.equal(of('panel'));
    });

    it('composites match their components within the same element', async () => {
      expect(await find('code-value-quantity=http://loinc.org|8480-6$gt100')).to.deep.equal(of('bp'));
      expect(await find('code-value-quantity=8480-6$gt150')).to.deep.equal([]);
      expect(await find('code-value-quantity=8480-6$gt100,8462-4$lt90')).to.deep.equal(of('bp', 'dia'));
      expect(await find('component-code-value-quantity=http://loinc.org|8480-6$gt125')).to.deep.equal(of('panel'));
      // 130 belongs to the systolic component, so it does not make the diastolic one match
      expect(await find('component-code-value-quantity=http://loinc.org|8462-4$gt125')).to.deep.equal([]);
      expect(await find('combo-code-value-quantity=8462-4$85')).to.deep.equal(of('panel'));
      expect(await find('code-value-quantity:missing=true')).to.deep.equal(of('panel'));
    });
  });
});

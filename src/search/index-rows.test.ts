import type { Observation, Patient } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { storeVersion } from '../interactions/common';
import type { InteractionContext } from '../interactions/types';
import { contextOf } from '../testing/fixtures';
import { INDEX_TABLES } from '../storage/index-tables';
import { ident, raw, sql } from '../storage/sql';
import { forEachDatabase } from '../storage/test-databases';

const BASE = 'http://example.org/fhir';

const patient = (family: string): Patient => ({
  resourceType: 'Patient',
  id: 'p1',
  meta: { tag: [{ system: 'http://example.org/tags', code: 'test' }] },
  identifier: [{ system: 'urn:mrn', value: 'MRN-1' }],
  name: [{ family, given: ['Zoë'] }],
  birthDate: '1970-05',
  gender: 'female',
});

const observation: Observation = {
  resourceType: 'Observation',
  id: 'o1',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '29463-7', display: 'Body weight' }] },
  subject: { reference: 'Patient/p1' },
  effectivePeriod: { start: '2021-03-04T10:00:00Z' },
  valueQuantity: { value: 72.5, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
};

forEachDatabase('search index rows through storeVersion', (db) => {
  let ctx: InteractionContext;
  before(() => {
    ctx = contextOf(db);
  });

  const rows = (table: string, columns: string, type: string, id: string) =>
    db.driver().query<Record<string, unknown>>(
      sql`SELECT ${raw(columns)} FROM ${ident(table)} WHERE resource_type = ${type} AND id = ${id} ORDER BY ${raw(columns.split(',').map((_, i) => i + 1).join(', '))}`,
    );

  const countAll = async (type: string, id: string): Promise<number> => {
    let n = 0;
    for (const t of INDEX_TABLES.filter((x) => x.name.startsWith('idx_'))) {
      const [row] = await db.driver().query<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${ident(t.name)} WHERE resource_type = ${type} AND id = ${id}`);
      n += row!.n;
    }
    return n;
  };

  it('fills the index tables on create', async () => {
    await storeVersion(ctx, 'Patient', 'p1', patient('Ångström'), null, BASE);
    expect(await rows('idx_string', 'code, value, exact', 'Patient', 'p1')).to.deep.include.members([
      { code: 'family', value: 'angstrom', exact: 'Ångström' },
      { code: 'given', value: 'zoe', exact: 'Zoë' },
      { code: 'name', value: 'angstrom', exact: 'Ångström' },
    ]);
    expect(await rows('idx_token', 'code, system, value', 'Patient', 'p1')).to.deep.include.members([
      { code: '_tag', system: 'http://example.org/tags', value: 'test' },
      { code: 'gender', system: null, value: 'female' },
      { code: 'identifier', system: 'urn:mrn', value: 'MRN-1' },
    ]);
    expect(await rows('idx_date', 'code, low, high', 'Patient', 'p1')).to.deep.equal([
      { code: 'birthdate', low: '1970-05-01T00:00:00.000Z', high: '1970-05-31T23:59:59.999Z' },
    ]);

    await storeVersion(ctx, 'Observation', 'o1', observation, null, BASE);
    expect(await rows('idx_reference', 'code, target_type, target_id', 'Observation', 'o1')).to.deep.equal([
      { code: 'patient', target_type: 'Patient', target_id: 'p1' },
      { code: 'subject', target_type: 'Patient', target_id: 'p1' },
    ]);
    expect(await rows('idx_quantity', 'code, system, unit, value, low, high', 'Observation', 'o1')).to.deep.include({
      code: 'value-quantity', system: 'http://unitsofmeasure.org', unit: 'kg', value: '72.5', low: '72.45', high: '72.55',
    });
    expect(await rows('idx_date', 'code, low, high', 'Observation', 'o1')).to.deep.equal([
      { code: 'date', low: '2021-03-04T10:00:00.000Z', high: 'infinity' },
    ]);
    const [composite] = await rows('idx_composite', 'code, components', 'Observation', 'o1');
    expect(composite).to.deep.equal({
      code: 'code-value-quantity',
      components: [
        { system: 'http://loinc.org', value: '29463-7' },
        { system: 'http://unitsofmeasure.org', unit: 'kg', value: 72.5, low: 72.45, high: 72.55 },
      ],
    });
    const [{ n }] = (await db.driver().query<{ n: number }>(sql`SELECT count(*)::int AS n FROM idx_composite WHERE resource_type = 'Observation' AND id = 'o1'
      AND (components->1->>'low')::numeric <= 72.5 AND (components->1->>'high')::numeric >= 72.5`)) as [{ n: number }];
    expect(n).to.equal(2, 'code-value-quantity and combo-code-value-quantity');
  });

  it('replaces the rows on update', async () => {
    await storeVersion(ctx, 'Patient', 'p1', { ...patient('Smith'), birthDate: '1971' }, undefined, BASE);
    const family = await rows('idx_string', 'code, value, exact', 'Patient', 'p1');
    expect(family.filter((r) => r.code === 'family')).to.deep.equal([{ code: 'family', value: 'smith', exact: 'Smith' }]);
    expect(await rows('idx_date', 'code, low, high', 'Patient', 'p1')).to.deep.equal([
      { code: 'birthdate', low: '1971-01-01T00:00:00.000Z', high: '1971-12-31T23:59:59.999Z' },
    ]);
    expect(await countAll('Observation', 'o1')).to.be.greaterThan(0, 'other resources keep theirs');
  });

  it('removes the rows on delete', async () => {
    expect(await countAll('Patient', 'p1')).to.be.greaterThan(0);
    await storeVersion(ctx, 'Patient', 'p1', null, undefined, BASE);
    expect(await countAll('Patient', 'p1')).to.equal(0);
    expect(await countAll('Observation', 'o1')).to.be.greaterThan(0);
  });
});

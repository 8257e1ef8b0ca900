import { expect } from 'chai';
import type { Sql } from '../../storage/sql';
import { compartmentScope } from './compartment';
import { encodeCursor } from './cursor';
import { includeStatement, revincludeStatement } from './include';
import { parseSearch } from './parse';
import { matchFilter, planSearch } from './plan';

const NOW = new Date('2026-01-01T00:00:00Z');

function request(query: string, resourceType: string | null = 'Observation') {
  return parseSearch([...new URLSearchParams(query).entries()], { resourceType: resourceType ?? undefined, baseUrl: 'http://x/fhir', now: NOW, defaultCount: 20, maxCount: 100 });
}

/** The statement text with whitespace collapsed. */
const text = (q: Sql): string => q.text.replace(/\s+/g, ' ').trim();

describe('search/query/plan: generated SQL', () => {
  it('a token system|code is an EXISTS over idx_token with bound values', () => {
    const f = matchFilter(request('code=http://loinc.org|8480-6'));
    expect(text(f)).to.equal(
      'r.resource_type = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "idx_token" t1 WHERE t1.resource_type = r.resource_type AND t1.id = r.id AND t1.code = $2 AND (t1."value" = $3 AND t1."system" = $4))',
    );
    expect(f.values).to.deep.equal(['Observation', 'code', '8480-6', 'http://loinc.org']);
  });

  it('OR values share one EXISTS; AND parameters get one each; :not negates', () => {
    const f = matchFilter(request('code=a,b&status:not=final'));
    expect(text(f)).to.contain('AND ((t1."value" = $3) OR (t1."value" = $4))'.replace(/\((t1."value" = \$\d)\)/g, '$1'));
    expect(text(f)).to.contain('NOT EXISTS (SELECT 1 FROM "idx_token" t2');
    expect(f.values).to.deep.equal(['Observation', 'code', 'a', 'b', 'status', 'final']);
  });

  it('a string matches the folded prefix with LIKE, escaping LIKE metacharacters', () => {
    const f = matchFilter(request('name=Mül%_er', 'Patient'));
    expect(text(f)).to.contain('FROM "idx_string" t1 WHERE t1.resource_type = r.resource_type AND t1.id = r.id AND t1.code = $2 AND t1."value" LIKE $3');
    expect(f.values[2]).to.equal('mul\\%\\_er%');
    expect(matchFilter(request('name:contains=ev', 'Patient')).values[2]).to.equal('%ev%');
    expect(text(matchFilter(request('name:exact=Eve', 'Patient')))).to.contain('t1."exact" = $3');
  });

  it('dates compare ranges as search.html#prefix defines', () => {
    const cases: Record<string, string> = {
      eq: '(t1."low" >= $3::timestamptz AND t1."high" <= $4::timestamptz)',
      ne: '(t1."low" < $3::timestamptz OR t1."high" > $4::timestamptz)',
      gt: 't1."high" > $4::timestamptz',
      lt: 't1."low" < $3::timestamptz',
      ge: '(t1."high" > $4::timestamptz OR (t1."low" >= $3::timestamptz AND t1."high" <= $4::timestamptz))',
      le: '(t1."low" < $3::timestamptz OR (t1."low" >= $3::timestamptz AND t1."high" <= $4::timestamptz))',
      sa: 't1."low" > $4::timestamptz',
      eb: 't1."high" < $3::timestamptz',
      ap: '(t1."low" <= $4::timestamptz AND t1."high" >= $3::timestamptz)',
    };
    for (const [prefix, condition] of Object.entries(cases)) {
      const f = matchFilter(request(`date=${prefix}2020-06`));
      // the date values are bound once per use; renumber the expected text accordingly
      const used = [...condition.matchAll(/\$(\d)/g)].map((m) => m[1]);
      let n = 2;
      const renumbered = condition.replace(/\$(\d)/g, () => `$${++n}`);
      expect(text(f), prefix).to.contain(renumbered);
      const bounds: Record<string, string> = { '3': '2020-06-01T00:00:00.000Z', '4': '2020-06-30T23:59:59.999Z' };
      if (prefix !== 'ap') expect(f.values.slice(2), prefix).to.deep.equal(used.map((u) => bounds[u!]));
    }
  });

  it('numbers and quantities use the implicit precision range for eq and the exact value otherwise', () => {
    const eq = matchFilter(request('value-quantity=5.4|http://unitsofmeasure.org|mg'));
    expect(text(eq)).to.contain(
      '((coalesce(t1."value", t1."low") >= $3::numeric - $4::numeric AND coalesce(t1."value", t1."high") < $5::numeric + $6::numeric) AND t1."system" = $7 AND t1."unit" = $8)',
    );
    expect(eq.values.slice(2)).to.deep.equal(['5.4', '5e-2', '5.4', '5e-2', 'http://unitsofmeasure.org', 'mg']);
    const gt = matchFilter(request('value-quantity=gt5'));
    expect(text(gt)).to.contain('(coalesce(t1."value", t1."high") > $3::numeric)');
  });

  it('composites test every component within the same idx_composite row', () => {
    const f = matchFilter(request('code-value-quantity=http://loinc.org|8480-6$gt100'));
    expect(text(f)).to.contain('FROM "idx_composite" t1 WHERE');
    expect(text(f)).to.contain(`((t1.components->0->>'value')::text = $3 AND (t1.components->0->>'system')::text = $4) AND (coalesce((t1.components->1->>'value')::numeric, (t1.components->1->>'high')::numeric) > $5::numeric)`);
  });

  it('references match type and id, URLs, and :identifier rows', () => {
    const f = matchFilter(request('subject=Patient/1&subject=http://other/x&subject:identifier=urn:s|v'));
    expect(text(f)).to.contain('(t1."target_id" = $3 AND t1."target_type" = $4 AND (t1."target_url" IS NULL OR t1."target_url" LIKE $5))');
    expect(text(f)).to.contain('t2."target_url" = $7');
    expect(text(f)).to.contain('FROM "idx_token" t3 WHERE t3.resource_type = r.resource_type AND t3.id = r.id AND t3.code = $8 AND (t3."value" = $9 AND t3."system" = $10)');
    expect(f.values).to.include('subject:identifier');
  });

  it('a chain is a nested EXISTS over idx_reference, the target type a constant', () => {
    const f = matchFilter(request('subject:Patient.name=peter'));
    expect(text(f)).to.equal(
      'r.resource_type = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM idx_reference x1 WHERE x1.resource_type = r.resource_type AND x1.id = r.id AND x1.code = $2 AND (x1.target_url IS NULL OR x1.target_url LIKE $3) AND (x1.target_type = $4 AND EXISTS (SELECT 1 FROM "idx_string" t2 WHERE t2.resource_type = $5 AND t2.id = x1.target_id AND t2.code = $6 AND t2."value" LIKE $7)))',
    );
    expect(f.values).to.deep.equal(['Observation', 'subject', 'http://x/fhir/%', 'Patient', 'Patient', 'name', 'peter%']);
  });

  it('_has is an EXISTS over the referring resources', () => {
    const f = matchFilter(request('_has:Observation:patient:code=1234', 'Patient'));
    expect(text(f)).to.equal(
      'r.resource_type = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM idx_reference h1 WHERE h1.resource_type = $2 AND h1.code = $3 AND h1.target_type = r.resource_type AND h1.target_id = r.id AND (h1.target_url IS NULL OR h1.target_url LIKE $4) AND EXISTS (SELECT 1 FROM "idx_token" t2 WHERE t2.resource_type = $5 AND t2.id = h1.id AND t2.code = $6 AND t2."value" = $7))',
    );
  });

  it('_id, _lastUpdated and :missing work on the row and the index', () => {
    const f = matchFilter(request('_id=a,b&_lastUpdated=gt2020&family:missing=true', 'Patient'));
    expect(text(f)).to.equal(
      'r.resource_type = $1 AND NOT r.deleted AND r.id = ANY($2::text[]) AND r.last_updated > $3::timestamptz AND NOT EXISTS (SELECT 1 FROM "idx_string" t1 WHERE t1.resource_type = r.resource_type AND t1.id = r.id AND t1.code = $4)',
    );
    expect(f.values).to.deep.equal(['Patient', ['a', 'b'], '2020-12-31T23:59:59.999Z', 'family']);
  });

  it('a system search over some types filters by type list', () => {
    const f = matchFilter(request('_type=Patient,Practitioner&name=x', null));
    expect(text(f)).to.match(/^r\.resource_type = ANY\(\$1::text\[\]\) AND NOT r\.deleted AND EXISTS/);
    expect(f.values[0]).to.deep.equal(['Patient', 'Practitioner']);
  });

  it('the page statement sorts by key subqueries, then type and id, one row beyond the page', () => {
    const plan = planSearch(request('_sort=-date,code&_count=10'));
    expect(text(plan.page)).to.contain('(SELECT max(s.high) FROM "idx_date" s WHERE s.resource_type = r.resource_type AND s.id = r.id AND s.code = $1) AS k0');
    expect(text(plan.page)).to.contain('(SELECT min(s."value") FROM "idx_token" s WHERE s.resource_type = r.resource_type AND s.id = r.id AND s.code = $2) AS k1');
    expect(text(plan.page)).to.match(/ORDER BY q\.k0 DESC NULLS LAST, q\.k1 ASC NULLS LAST, q\.resource_type ASC NULLS LAST, q\.id ASC NULLS LAST LIMIT \$4$/);
    expect(plan.page.values[3]).to.equal(11);
    expect(text(plan.count)).to.equal('SELECT count(*) AS total FROM resources r WHERE r.resource_type = $1 AND NOT r.deleted');
  });

  it('a cursor continues strictly after its row; a previous cursor reverses the order', () => {
    const cursor = encodeCursor({ direction: 'next', sort: '-date', keys: ['2020-01-01 00:00:00+00'], type: 'Observation', id: 'o1' });
    const plan = planSearch({ ...request('_sort=-date'), cursor });
    expect(text(plan.page)).to.contain(
      'WHERE ((q.k0 < $3::timestamptz OR q.k0 IS NULL) OR (q.k0 = $4::timestamptz AND (q.resource_type, q.id) > ($5::text, $6::text)))',
    );
    expect(plan.page.values.slice(2, 6)).to.deep.equal(['2020-01-01 00:00:00+00', '2020-01-01 00:00:00+00', 'Observation', 'o1']);
    const back = planSearch({ ...request('_sort=-date'), cursor: encodeCursor({ direction: 'previous', sort: '-date', keys: [null], type: 'Observation', id: 'o1' }) });
    expect(text(back.page)).to.contain('WHERE (q.k0 IS NOT NULL OR (q.k0 IS NULL AND (q.resource_type, q.id) < ($3::text, $4::text)))');
    expect(text(back.page)).to.contain('ORDER BY q.k0 ASC NULLS FIRST, q.resource_type DESC NULLS FIRST, q.id DESC NULLS FIRST');
  });

  it('refuses a cursor of another sort or a forged one', () => {
    const cursor = encodeCursor({ direction: 'next', sort: 'date', keys: ['x'], type: 'Observation', id: 'o1' });
    expect(() => planSearch({ ...request('_sort=-date'), cursor })).to.throw(/cursor/);
    expect(() => planSearch({ ...request(''), cursor: 'not-a-cursor' })).to.throw(/cursor/);
  });

  it('compartments, includes and revincludes are bound arrays', () => {
    const scope = compartmentScope('Patient', 'p1', ['Observation'], 'http://x/fhir');
    expect(text(scope)).to.contain('(c.resource_type, c.code) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND c.target_type = $3 AND c.target_id = $4 AND (c.target_url IS NULL OR c.target_url LIKE $5)');
    expect(scope.values[4]).to.equal('http://x/fhir/%');
    expect(scope.values.slice(0, 2)).to.deep.equal([['Observation', 'Observation'], ['subject', 'performer']]);
    const inc = includeStatement({ sourceType: 'Observation', code: 'patient', iterate: false }, [{ type: 'Observation', id: 'o1' }], 50, 'http://x/fhir')!;
    expect(text(inc)).to.contain('WHERE (x.resource_type, x.id) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND x.code = $3');
    expect(inc.values).to.deep.equal([['Observation'], ['o1'], 'patient', 'http://x/fhir/%', 50]);
    expect(includeStatement({ sourceType: 'Patient', code: '*', iterate: false }, [{ type: 'Observation', id: 'o1' }], 50, '')).to.equal(undefined);
    const rev = revincludeStatement({ sourceType: 'Provenance', code: 'target', iterate: false }, [{ type: 'Patient', id: 'p1' }], 50, '')!;
    expect(text(rev)).to.contain('WHERE (x.target_type, x.target_id) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND x.resource_type = $3 AND x.code = $4');
  });

  it(':in and :below match resolved concepts: codes as a bound array, (system, code) pairs through unnest', () => {
    const r = request('code:in=http://example.org/vs&code:below=http://sys|a');
    const [inValue, below] = r.criteria.map((c) => (c as { values: { concepts?: unknown }[] }).values[0]!);
    inValue!.concepts = { systems: ['http://a', 'http://b'], codes: ['1', '2'] };
    below!.concepts = { systems: ['http://sys', 'http://sys'], codes: ['a', 'b'] };
    const f = matchFilter(r);
    expect(text(f)).to.contain('(t1."value" = ANY($3::text[]) AND (t1."system" IS NULL OR (t1."system", t1."value") IN (SELECT e.system, e.code FROM unnest($4::text[], $5::text[]) AS e(system, code))))');
    expect(text(f)).to.contain('(t2."value" = ANY($7::text[]) AND (t2."system" = $8))');
    expect(f.values.slice(2)).to.deep.equal([['1', '2'], ['http://a', 'http://b'], ['1', '2'], 'code', ['a', 'b'], 'http://sys']);
    expect(() => matchFilter(request('code:in=http://example.org/vs'))).to.throw(/before resolveTerminology/);
  });
});

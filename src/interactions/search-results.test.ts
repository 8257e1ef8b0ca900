import type { Bundle } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { FhirError } from '../core/errors';
import { forEachDatabase } from '../storage/test-databases';
import { marker, searchHarness, sorted, tagged, TAG_SYSTEM } from '../testing/search-fixtures';
import { remove } from './delete';
import { BASE } from '../testing/fixtures';

/** Result parameters: _sort, _count and paging, _total, _summary, _elements, handling of unknown parameters. */

const link = (b: Bundle, relation: string): string | undefined => b.link?.find((l) => l.relation === relation)?.url;
const queryOf = (url: string): string => url.slice(url.indexOf('?') + 1);
const matchIds = (b: Bundle): string[] => (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id!);

forEachDatabase('search: sorting, paging, totals and result parameters', (db) => {
  const h = searchHarness(db);

  describe('_sort', () => {
    const m = marker('sort');
    const scope = `_tag=${TAG_SYSTEM}|${m}`;
    const ids: Record<string, string> = {};
    before(async () => {
      const p = (family: string | undefined, birthDate: string | undefined) => ({ resourceType: 'Patient' as const, ...tagged(m), ...(family ? { name: [{ family }] } : {}), ...(birthDate ? { birthDate } : {}) });
      ids.b80 = (await h.add(p('Baker', '1980-01-01'))).id;
      ids.a90 = (await h.add(p('Adams', '1990-01-01'))).id;
      ids.c80 = (await h.add(p('Clark', '1980-01-01'))).id;
      ids.none = (await h.add(p(undefined, undefined))).id;
    });
    const ordered = (...names: string[]) => names.map((n) => ids[n]!);

    it('sorts by a string, ascending and descending, missing values last', async () => {
      expect(await h.ids('Patient', `${scope}&_sort=family`)).to.deep.equal(ordered('a90', 'b80', 'c80', 'none'));
      expect(await h.ids('Patient', `${scope}&_sort=-family`)).to.deep.equal(ordered('c80', 'b80', 'a90', 'none'));
    });

    it('sorts by several keys', async () => {
      expect(await h.ids('Patient', `${scope}&_sort=birthdate,-family`)).to.deep.equal(ordered('c80', 'b80', 'a90', 'none'));
      expect(await h.ids('Patient', `${scope}&_sort=-birthdate,family`)).to.deep.equal(ordered('a90', 'b80', 'c80', 'none'));
    });

    it('sorts by _id and _lastUpdated', async () => {
      expect(await h.ids('Patient', `${scope}&_sort=_id`)).to.deep.equal(Object.values(ids).sort());
      expect(await h.ids('Patient', `${scope}&_sort=-_lastUpdated`)).to.deep.equal(ordered('none', 'c80', 'a90', 'b80'));
    });

    it('pages through a sorted result with next and previous links', async () => {
      const first = await h.bundle('Patient', `${scope}&_sort=-birthdate,family&_count=3`);
      expect(matchIds(first)).to.deep.equal(ordered('a90', 'b80', 'c80'));
      expect(link(first, 'previous')).to.equal(undefined);
      const second = await h.bundle('Patient', queryOf(link(first, 'next')!));
      expect(matchIds(second)).to.deep.equal(ordered('none'));
      expect(link(second, 'next')).to.equal(undefined);
      const back = await h.bundle('Patient', queryOf(link(second, 'previous')!));
      expect(matchIds(back)).to.deep.equal(ordered('a90', 'b80', 'c80'));
    });
  });

  describe('_count and paging', () => {
    const m = marker('page');
    const scope = `_tag=${TAG_SYSTEM}|${m}`;
    let all: string[] = [];
    before(async () => {
      for (let i = 0; i < 7; i++) all.push((await h.add({ resourceType: 'Basic', ...tagged(m), code: { text: `b${i}` } })).id);
      all = all.sort();
    });

    async function walk(query: string): Promise<{ pages: string[][]; bundles: Bundle[] }> {
      const pages: string[][] = [];
      const bundles: Bundle[] = [];
      let b = await h.bundle('Basic', query);
      for (;;) {
        pages.push(matchIds(b));
        bundles.push(b);
        const next = link(b, 'next');
        if (!next) break;
        b = await h.bundle('Basic', queryOf(next));
      }
      return { pages, bundles };
    }

    it('returns every match exactly once across pages, with self, first, next and previous links', async () => {
      const { pages, bundles } = await walk(`${scope}&_count=3`);
      expect(pages.map((p) => p.length)).to.deep.equal([3, 3, 1]);
      expect(pages.flat()).to.deep.equal(all);
      expect(link(bundles[0]!, 'self')).to.equal(`${BASE}/Basic?_tag=${encodeURIComponent(`${TAG_SYSTEM}|${m}`)}&_count=3`);
      expect(link(bundles[0]!, 'first')).to.equal(link(bundles[0]!, 'self'));
      expect(link(bundles[1]!, 'self')).to.match(/&_page=/);
      expect(link(bundles[1]!, 'first')).to.equal(link(bundles[0]!, 'self'));
      expect(link(bundles[1]!, 'previous')).to.be.a('string');
      expect(matchIds(await h.bundle('Basic', queryOf(link(bundles[2]!, 'previous')!)))).to.deep.equal(pages[1]);
    });

    it('pages neither shift nor repeat when resources are created or deleted between requests', async () => {
      const first = await h.bundle('Basic', `${scope}&_count=3`);
      expect(matchIds(first)).to.deep.equal(all.slice(0, 3));
      // a new resource sorting first, and the deletion of one already seen
      await h.put({ resourceType: 'Basic', id: '0000-first', ...tagged(m), code: { text: 'new' } });
      await remove(h.ctx(), { resourceType: 'Basic', id: all[0]!, query: [], baseUrl: BASE });
      const second = await h.bundle('Basic', queryOf(link(first, 'next')!));
      expect(matchIds(second)).to.deep.equal(all.slice(3, 6));
    });

    it('caps _count at the maximum and defaults it', async () => {
      const capped = await h.bundle('Basic', `${scope}&_count=100000`);
      expect(link(capped, 'self')).to.contain('_count=100000');
      expect(matchIds(capped).length).to.be.greaterThan(3);
      const small = searchHarness(db, { limits: { defaultPageSize: 2, maxPageSize: 4 } } as never);
      expect(matchIds(await small.bundle('Basic', scope))).to.have.length(2);
    });
  });

  describe('_total, _summary and _elements', () => {
    const m = marker('tot');
    const scope = `_tag=${TAG_SYSTEM}|${m}`;
    before(async () => {
      for (let i = 0; i < 4; i++) await h.add({ resourceType: 'Patient', ...tagged(m), gender: 'female', name: [{ family: `F${i}` }], text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' } });
    });

    it('_total=accurate counts, estimate gives a number, none gives none', async () => {
      expect((await h.bundle('Patient', `${scope}&_total=accurate&_count=1`)).total).to.equal(4);
      expect((await h.bundle('Patient', `${scope}&_total=estimate&_count=1`)).total).to.be.a('number').at.least(0);
      expect((await h.bundle('Patient', `${scope}&_total=none`)).total).to.equal(undefined);
    });

    it('without _total, gives the total only when the first page holds every match', async () => {
      expect((await h.bundle('Patient', scope)).total).to.equal(4);
      expect((await h.bundle('Patient', `${scope}&_count=2`)).total).to.equal(undefined);
    });

    it('_summary=count and _count=0 answer the total without entries', async () => {
      for (const q of ['_summary=count', '_count=0']) {
        const b = await h.bundle('Patient', `${scope}&${q}`);
        expect(b.total, q).to.equal(4);
        expect(b.entry, q).to.equal(undefined);
      }
    });

    it('_summary and _elements subset every entry, tagged SUBSETTED', async () => {
      const summary = await h.bundle('Patient', `${scope}&_summary=true`);
      for (const e of summary.entry!) {
        expect(e.resource).to.not.have.property('text');
        expect(e.resource!.meta!.tag!.map((t) => t.code)).to.include('SUBSETTED');
      }
      const elements = await h.bundle('Patient', `${scope}&_elements=gender`);
      for (const e of elements.entry!) expect(Object.keys(e.resource!).sort()).to.deep.equal(['gender', 'id', 'meta', 'resourceType']);
    });
  });

  describe('unknown and unsupported parameters', () => {
    it('lenient: ignored, reported in an outcome entry, left out of the self link', async () => {
      const b = await h.bundle('Patient', 'gender=female&foo=bar&name:fuzzy=x&_count=1');
      const outcome = b.entry!.find((e) => e.search?.mode === 'outcome');
      expect(outcome?.resource?.resourceType).to.equal('OperationOutcome');
      expect(JSON.stringify(outcome?.resource)).to.contain("'foo'").and.to.contain(':fuzzy');
      expect(link(b, 'self')).to.equal(`${BASE}/Patient?gender=female&_count=1`);
    });

    it('strict (Prefer or configuration): 400 naming every problem', async () => {
      for (const extra of [{ handling: 'strict' as const }, {}]) {
        const harness = Object.keys(extra).length ? h : searchHarness(db, { searchHandling: 'strict' });
        const err = await harness.bundle('Patient', 'foo=bar&name:fuzzy=x', extra).catch((e: unknown) => e);
        expect(err).to.be.instanceOf(FhirError);
        expect((err as FhirError).status).to.equal(400);
        expect((err as FhirError).issues).to.have.length(2);
      }
      const lenient = await searchHarness(db, { searchHandling: 'strict' }).bundle('Patient', 'foo=bar', { handling: 'lenient' });
      expect(lenient.entry?.some((e) => e.search?.mode === 'outcome')).to.equal(true);
    });

    it('malformed values are 400 under either handling', async () => {
      const err = await h.bundle('Patient', 'birthdate=not-a-date').catch((e: unknown) => e);
      expect((err as FhirError).status).to.equal(400);
    });
  });

  it('uses ids in order within a page', async () => {
    const m = marker('order');
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await h.add({ resourceType: 'Basic', ...tagged(m), code: { text: 'x' } })).id);
    expect(await h.ids('Basic', `_tag=${TAG_SYSTEM}|${m}`)).to.deep.equal(sorted(made));
  });
});

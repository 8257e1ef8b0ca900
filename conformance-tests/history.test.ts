import { expect } from 'chai';
import { expectOutcome, responseOf, sleep, withServer, type ServerContext } from './harness';

interface Seen {
  key: string;
  lastModified: number;
}

/** Follows `next` links from `path` with fhir-kit-client, returning every entry and the page sizes. */
async function allPages(ctx: ServerContext, path: string): Promise<{ entries: any[]; sizes: number[] }> {
  const entries: any[] = [];
  const sizes: number[] = [];
  let bundle: any = await ctx.client().request(path);
  for (let guard = 0; bundle; guard++) {
    expect(guard, 'too many pages').to.be.below(500);
    expect(bundle.type).to.equal('history');
    sizes.push(bundle.entry?.length ?? 0);
    entries.push(...(bundle.entry ?? []));
    bundle = await ctx.client().nextPage({ bundle });
  }
  return { entries, sizes };
}

function keyOf(entry: any): string {
  const type = entry.resource?.resourceType ?? entry.request.url.split('/')[0];
  const id = entry.resource?.id ?? entry.request.url.split('/')[1];
  return `${type}/${id}/${/"(\d+)"/.exec(entry.response.etag)?.[1]}`;
}

function seen(entries: any[]): Seen[] {
  return entries.map((e) => ({ key: keyOf(e), lastModified: Date.parse(e.response.lastModified) }));
}

function expectNewestFirst(list: Seen[]): void {
  for (let i = 1; i < list.length; i++) expect(list[i].lastModified, `entry ${i} is newer than entry ${i - 1}`).to.be.at.most(list[i - 1].lastModified);
}

/**
 * Creates a resource and updates it until it has `count` versions; returns every version. Writes
 * are `pause` ms apart (and the next write after the call too), so timestamps order them.
 */
async function versions(ctx: ServerContext, body: any, count: number, pause = 3): Promise<any[]> {
  const out: any[] = [await ctx.client().create({ resourceType: body.resourceType, body })];
  for (let v = 2; v <= count + 1; v++) {
    await sleep(pause);
    if (v > count) break;
    out.push(await ctx.client().update({ resourceType: body.resourceType, id: out[0].id, body: { ...out[out.length - 1], meta: undefined, extension: [{ url: 'http://example.org/version', valueInteger: v }] } }));
  }
  return out;
}

const at = (iso: string, deltaMs: number): string => new Date(Date.parse(iso) + deltaMs).toISOString();

withServer('conformance: history', (ctx) => {
  it('lists the versions of an instance, newest first, with request and response', async () => {
    const [v1, v2, v3] = await versions(ctx, { resourceType: 'Organization', name: 'v1' }, 3);
    const bundle: any = await ctx.client().history({ resourceType: 'Organization', id: v1.id });
    expect(responseOf(bundle).status).to.equal(200);
    expect(bundle.resourceType).to.equal('Bundle');
    expect(bundle.type).to.equal('history');
    if (bundle.total !== undefined) expect(bundle.total).to.equal(3);
    expect(bundle.entry.map((e: any) => e.resource)).to.deep.equal([v3, v2, v1]);
    for (const e of bundle.entry) {
      expect(e.fullUrl).to.equal(`${ctx.url()}/Organization/${v1.id}`);
      expect(e.request.method).to.be.oneOf(['POST', 'PUT']);
      expect(e.response.status).to.match(/^20[01]/);
      expect(e.response.etag).to.equal(`W/"${e.resource.meta.versionId}"`);
      expect(Date.parse(e.response.lastModified)).to.equal(Date.parse(e.resource.meta.lastUpdated));
    }
    expect(bundle.entry[2].request.method).to.equal('POST');
    expect(bundle.entry[0].request).to.deep.equal({ method: 'PUT', url: `Organization/${v1.id}` });
  });

  it('lists a type: every version of every instance of that type only, newest first', async () => {
    const a = await versions(ctx, { resourceType: 'Device', deviceName: [{ name: 'a', type: 'user-friendly-name' }] }, 2);
    const b = await versions(ctx, { resourceType: 'Device' }, 1);
    await ctx.client().create({ resourceType: 'Location', body: { resourceType: 'Location', name: 'elsewhere' } });
    const bundle: any = await ctx.client().history({ resourceType: 'Device' });
    expect(bundle.type).to.equal('history');
    expect(bundle.entry.map(keyOf)).to.deep.equal([`Device/${b[0].id}/1`, `Device/${a[0].id}/2`, `Device/${a[0].id}/1`]);
  });

  it('lists the whole system across types, newest first', async () => {
    const device: any = await ctx.client().create({ resourceType: 'Device', body: { resourceType: 'Device' } });
    await sleep(3);
    const location: any = await ctx.client().create({ resourceType: 'Location', body: { resourceType: 'Location', name: 'x' } });
    const bundle: any = await ctx.client().history();
    expect(bundle.type).to.equal('history');
    expect(bundle.entry.slice(0, 2).map(keyOf)).to.deep.equal([`Location/${location.id}/1`, `Device/${device.id}/1`]);
    expectNewestFirst(seen(bundle.entry));
  });

  it('shows deletions and re-creations in the instance history', async () => {
    const [v1] = await versions(ctx, { resourceType: 'Organization', name: 'v1' }, 1);
    await ctx.client().delete({ resourceType: 'Organization', id: v1.id });
    await ctx.client().update({ resourceType: 'Organization', id: v1.id, body: { resourceType: 'Organization', id: v1.id, name: 'back' } });
    const bundle: any = await ctx.client().history({ resourceType: 'Organization', id: v1.id });
    expect(bundle.entry.map((e: any) => e.request.method)).to.deep.equal(['PUT', 'DELETE', 'POST']);
    expect(bundle.entry[1].resource).to.equal(undefined);
    expect(bundle.entry[1].response.etag).to.equal('W/"2"');
    expect(bundle.entry[0].resource.name).to.equal('back');
  });

  describe('paging with _count', () => {
    it('sees every version of an instance exactly once, across pages of at most _count', async () => {
      const all = await versions(ctx, { resourceType: 'Organization', name: 'v1' }, 7);
      const { entries, sizes } = await allPages(ctx, `Organization/${all[0].id}/_history?_count=2`);
      expect(sizes).to.deep.equal([2, 2, 2, 1]);
      expect(entries.map((e) => e.resource.meta.versionId)).to.deep.equal(['7', '6', '5', '4', '3', '2', '1']);
    });

    it('sees every version of a type exactly once, newest first', async () => {
      const expected: string[] = [];
      for (let i = 0; i < 5; i++) {
        const vs = await versions(ctx, { resourceType: 'Medication' }, 1 + (i % 3));
        for (const v of vs) expected.push(`Medication/${v.id}/${v.meta.versionId}`);
      }
      const { entries, sizes } = await allPages(ctx, 'Medication/_history?_count=3');
      const list = seen(entries);
      expect(list.map((s) => s.key)).to.have.members(expected);
      expect(list).to.have.length(expected.length);
      expect(sizes.every((n) => n <= 3)).to.equal(true);
      expect(list.map((s) => s.key)).to.deep.equal([...expected].reverse());
      expectNewestFirst(list);
    });

    it('sees every version in the system exactly once', async () => {
      const first: any = await ctx.client().history();
      const { entries } = await allPages(ctx, '_history?_count=7');
      const keys = seen(entries).map((s) => s.key);
      expect(new Set(keys).size).to.equal(keys.length);
      expect(keys).to.include.members(first.entry.map(keyOf));
      expectNewestFirst(seen(entries));
    });

    it('neither repeats nor skips versions when new ones are written while paging', async () => {
      const original = await versions(ctx, { resourceType: 'HealthcareService', name: 'v1' }, 6);
      const expected = original.map((v) => `HealthcareService/${v.id}/${v.meta.versionId}`);
      let bundle: any = await ctx.client().request(`HealthcareService/_history?_count=2`);
      const entries: any[] = [...bundle.entry];
      for (let i = 0; i < 3; i++) await ctx.client().update({ resourceType: 'HealthcareService', id: original[0].id, body: { resourceType: 'HealthcareService', id: original[0].id, name: `later ${i}` } });
      await ctx.client().create({ resourceType: 'HealthcareService', body: { resourceType: 'HealthcareService', name: 'new' } });
      while ((bundle = await ctx.client().nextPage({ bundle }))) entries.push(...bundle.entry);
      const keys = entries.map(keyOf);
      expect(new Set(keys).size, `duplicates in ${keys.join(', ')}`).to.equal(keys.length);
      expect(keys).to.include.members(expected);
    });
  });

  describe('_since and _at', () => {
    it('_since keeps versions written at or after the instant', async () => {
      const [a1] = await versions(ctx, { resourceType: 'Practitioner' }, 1);
      await sleep(25);
      const a2: any = await ctx.client().update({ resourceType: 'Practitioner', id: a1.id, body: { resourceType: 'Practitioner', id: a1.id, active: true } });
      await sleep(3);
      const b: any = await ctx.client().create({ resourceType: 'Practitioner', body: { resourceType: 'Practitioner' } });
      const after: any = await ctx.client().request(`Practitioner/_history?_since=${encodeURIComponent(at(a1.meta.lastUpdated, 1))}`);
      expect(after.entry.map(keyOf)).to.deep.equal([`Practitioner/${b.id}/1`, `Practitioner/${a1.id}/2`]);
      const inclusive: any = await ctx.client().request(`Practitioner/_history?_since=${encodeURIComponent(a2.meta.lastUpdated)}`);
      expect(inclusive.entry.map(keyOf)).to.include(`Practitioner/${a1.id}/2`);
      const instance: any = await ctx.client().request(`Practitioner/${a1.id}/_history?_since=${encodeURIComponent(at(a1.meta.lastUpdated, 1))}`);
      expect(instance.entry.map(keyOf)).to.deep.equal([`Practitioner/${a1.id}/2`]);
      const future: any = await ctx.client().request(`_history?_since=${encodeURIComponent(at(new Date().toISOString(), 3_600_000))}`);
      expect(future.entry ?? []).to.have.length(0);
    });

    it('_at with an instant keeps the version current at that instant', async () => {
      const [v1, v2, v3] = await versions(ctx, { resourceType: 'Organization', name: 'v1' }, 3, 25);
      const history = (q: string): Promise<any> => ctx.client().request(`Organization/${v1.id}/_history?_at=${encodeURIComponent(q)}`);
      const mid12 = at(v1.meta.lastUpdated, (Date.parse(v2.meta.lastUpdated) - Date.parse(v1.meta.lastUpdated)) / 2);
      expect((await history(mid12)).entry.map(keyOf)).to.deep.equal([`Organization/${v1.id}/1`]);
      expect((await history(v2.meta.lastUpdated)).entry.map(keyOf)).to.deep.equal([`Organization/${v1.id}/2`]);
      expect((await history(at(v3.meta.lastUpdated, 60_000))).entry.map(keyOf)).to.deep.equal([`Organization/${v1.id}/3`]);
      expect((await history(at(v1.meta.lastUpdated, -60_000))).entry ?? []).to.have.length(0);
    });

    it('_at with a year keeps every version current at some point during that year', async () => {
      const all = await versions(ctx, { resourceType: 'Organization', name: 'v1' }, 3);
      const year = all[0].meta.lastUpdated.slice(0, 4);
      const bundle: any = await ctx.client().request(`Organization/${all[0].id}/_history?_at=${year}`);
      expect((bundle.entry ?? []).map(keyOf)).to.deep.equal(all.map((v) => `Organization/${v.id}/${v.meta.versionId}`).reverse());
    });

    it('_at on a type keeps, per instance, the version current then', async () => {
      const a = await versions(ctx, { resourceType: 'Person', name: [{ text: 'a' }] }, 1);
      await sleep(25);
      const middle = new Date().toISOString();
      await sleep(25);
      await ctx.client().update({ resourceType: 'Person', id: a[0].id, body: { resourceType: 'Person', id: a[0].id, active: true } });
      await ctx.client().create({ resourceType: 'Person', body: { resourceType: 'Person' } });
      const bundle: any = await ctx.client().request(`Person/_history?_at=${encodeURIComponent(middle)}`);
      expect(bundle.entry.map(keyOf)).to.deep.equal([`Person/${a[0].id}/1`]);
    });
  });

  describe('errors', () => {
    it('answers 404 for the history of an unknown id or type', async () => {
      await expectOutcome(ctx.client().history({ resourceType: 'Organization', id: 'never-was' }), 404);
      await expectOutcome(ctx.client().request('NoSuchType/_history'), 404);
    });

    it('answers 400 for a malformed _since, _at or _count', async () => {
      await expectOutcome(ctx.client().request('_history?_since=yesterday'), 400);
      await expectOutcome(ctx.client().request('Organization/_history?_at=2020-13-45'), 400);
      await expectOutcome(ctx.client().request('Organization/_history?_count=many'), 400);
    });
  });
});

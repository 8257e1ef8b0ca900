import type { Observation, SearchParameter } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { FhirError } from '../core/errors';
import { silentLogger } from '../core/logger';
import { storeVersion } from '../interactions/common';
import type { InteractionContext } from '../interactions/types';
import { searchParameter, unregisterSearchParameter } from '../search/registry';
import { sql } from '../storage/sql';
import { forEachDatabase } from '../storage/test-databases';
import { BASE, contextOf } from '../testing/fixtures';
import { ReindexRuntime } from './runtime';

const URL = 'http://example.org/SearchParameter/observation-note';

const noteParameter = (extra: Partial<SearchParameter> = {}): SearchParameter => ({
  resourceType: 'SearchParameter',
  url: URL,
  name: 'note',
  status: 'active',
  description: 'Text of the notes',
  code: 'note-text',
  base: ['Observation'],
  type: 'string',
  expression: 'Observation.note.text',
  ...extra,
});

const observation = (note: string): Observation => ({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, note: [{ text: note }] });

forEachDatabase('custom search parameters: registry, jobs and worker', (db) => {
  let runtime: ReindexRuntime;
  let ctx: InteractionContext;

  const noteRows = (id: string) =>
    db.driver().query<{ value: string }>(sql`SELECT value FROM idx_string WHERE resource_type = 'Observation' AND id = ${id} AND code = 'note-text'`);
  const write = (type: string, id: string, content: object | null) =>
    ctx.repo.transaction((repo) => storeVersion({ ...ctx, repo }, type, id, content as never, undefined, BASE));

  before(() => {
    runtime = new ReindexRuntime({ repo: db.repository(), logger: silentLogger, intervalMs: 10 });
    ctx = contextOf(db, { reindex: runtime });
  });

  after(async () => {
    await runtime.stop();
    unregisterSearchParameter(URL);
    unregisterSearchParameter('http://example.org/SearchParameter/direct');
  });

  it('registers a stored SearchParameter at commit, indexes new writes at once and existing ones by the job', async () => {
    await write('Observation', 'old-1', observation('hello old'));
    await write('Observation', 'old-2', observation('hello older'));
    await write('SearchParameter', 'note', noteParameter());
    expect(searchParameter('Observation', 'note-text')).to.include({ source: 'custom', table: 'idx_string' });

    const [job] = await ctx.repo.jobs.incomplete();
    expect(job).to.include({ status: 'queued', incomplete: true });
    expect(job!.types).to.deep.equal(['Observation']);
    expect(job!.codes).to.deep.equal(['note-text']);
    expect(runtime.incomplete('Observation', 'note-text')).to.include({ jobId: job!.id, failed: false });
    expect(runtime.incomplete('Observation', 'code')).to.equal(undefined);

    await write('Observation', 'new', observation('hello new'));
    expect(await noteRows('new')).to.deep.equal([{ value: 'hello new' }]);
    expect(await noteRows('old-1')).to.deep.equal([]);

    await runtime.worker.runPending();
    expect(await noteRows('old-1')).to.deep.equal([{ value: 'hello old' }]);
    expect(await noteRows('old-2')).to.deep.equal([{ value: 'hello older' }]);
    const done = (await ctx.repo.jobs.get(job!.id))!;
    expect(done).to.include({ status: 'done', phase: 'catch-up', attempts: 1 });
    expect(done.processed).to.equal(done.total);
    expect(done.processed).to.be.at.least(3);
    expect(runtime.incomplete('Observation', 'note-text')).to.equal(undefined);
  });

  it('refuses an invalid SearchParameter with 422 and stores nothing', async () => {
    for (const bad of [noteParameter({ url: 'http://example.org/x', expression: 'Observation.note.where(' }), noteParameter({ url: 'http://example.org/y' }), noteParameter({ url: 'http://example.org/z', base: ['NotAType'] as never }), noteParameter({ code: 'same-url' })]) {
      try {
        await write('SearchParameter', 'bad', bad);
        expect.fail('accepted');
      } catch (e) {
        expect(e).to.be.instanceOf(FhirError);
        expect((e as FhirError).status).to.equal(422);
      }
    }
    expect(await ctx.repo.readCurrent('SearchParameter', 'bad')).to.equal(undefined);
    expect(await ctx.repo.jobs.incomplete()).to.deep.equal([]);
  });

  it('leaves the registry alone when the transaction rolls back', async () => {
    const other = noteParameter({ url: 'http://example.org/rolled-back', code: 'rolled-back' });
    await ctx.repo
      .transaction(async (repo) => {
        await storeVersion({ ...ctx, repo }, 'SearchParameter', 'rolled-back', other, undefined, BASE);
        throw new Error('abort');
      })
      .catch(() => undefined);
    expect(searchParameter('Observation', 'rolled-back')).to.equal(undefined);
    expect(await ctx.repo.jobs.incomplete()).to.deep.equal([]);
  });

  it('picks up SearchParameters written by other servers, and their removal', async () => {
    const direct = noteParameter({ url: 'http://example.org/SearchParameter/direct', code: 'direct' });
    await db.repository().write({ resourceType: 'SearchParameter', id: 'direct', content: direct });
    expect(searchParameter('Observation', 'direct')).to.equal(undefined);
    await runtime.sync.refresh();
    expect(searchParameter('Observation', 'direct')).to.include({ source: 'custom' });
    await db.repository().write({ resourceType: 'SearchParameter', id: 'direct', content: { ...direct, status: 'retired' } });
    await runtime.sync.refresh();
    expect(searchParameter('Observation', 'direct')).to.equal(undefined);
    expect(searchParameter('Observation', 'note-text')).to.include({ source: 'custom' });
  });

  it('removes a deleted SearchParameter and queues a job that clears its rows', async () => {
    await write('SearchParameter', 'note', null);
    expect(searchParameter('Observation', 'note-text')).to.equal(undefined);
    await runtime.worker.runPending();
    expect(await noteRows('old-1')).to.deep.equal([]);
    expect(await noteRows('new')).to.deep.equal([]);
  });

  it('resumes a job whose server stopped once its lease expires, from its cursor', async () => {
    await write('SearchParameter', 'note', noteParameter());
    const [job] = await ctx.repo.jobs.incomplete();
    await ctx.repo.jobs.claim('dead-server', 60_000);
    await ctx.repo.jobs.progress(job!.id, 'dead-server', { total: 3, processed: 1, cursor: { type: 'Observation', id: 'old-1' } }, 1);
    await new Promise((r) => setTimeout(r, 20));
    await runtime.worker.runPending();
    const done = (await ctx.repo.jobs.get(job!.id))!;
    expect(done).to.include({ status: 'done', attempts: 2 });
    // Resumed after old-1 (ids in order: new, old-1, old-2: one more), then the catch-up pass over all 3 recent ones.
    expect(done).to.include({ processed: 1 + 1 + 3, total: 3 + 3 });
    for (const id of ['old-1', 'old-2', 'new']) expect(await noteRows(id), id).to.have.length(1);
  });

  it('revisits resources written around the job in the catch-up pass', async () => {
    // Another server, not yet aware of the parameter, wrote old-1 without its rows; the catch-up pass fixes it.
    await db.repository().write({ resourceType: 'Observation', id: 'old-1', content: { ...observation('hello again'), id: 'old-1' }, index: {} });
    const job = await ctx.repo.jobs.enqueue({ types: ['Observation'], urls: [URL], codes: ['note-text'], incomplete: true });
    await ctx.repo.jobs.claim('me', 60_000);
    await ctx.repo.jobs.progress(job.id, 'me', { phase: 'catch-up', cursor: null, total: 0 }, 60_000);
    await ctx.repo.jobs.release(job.id, 'me');
    await runtime.worker.runPending();
    expect(await noteRows('old-1')).to.deep.equal([{ value: 'hello again' }]);
    expect(await ctx.repo.jobs.get(job.id)).to.include({ status: 'done' });
  });
});

import { expect } from 'chai';
import { forEachDatabase } from './test-databases';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

forEachDatabase('reindex jobs', (db) => {
  const jobs = () => db.repository().jobs;

  beforeEach(async () => {
    await db.driver().exec('DELETE FROM reindex_jobs');
  });

  it('are queued, read back and listed newest first', async () => {
    const a = await jobs().enqueue({ types: ['Patient'], urls: ['http://x/sp'], codes: ['x'], incomplete: true });
    const b = await jobs().enqueue({ types: ['Observation', 'Patient'] });
    expect(a).to.include({ status: 'queued', phase: 'scan', processed: 0, incomplete: true, attempts: 0 });
    expect(a.total).to.equal(undefined);
    expect(await jobs().get(a.id)).to.deep.equal(a);
    expect(await jobs().get('nope')).to.equal(undefined);
    expect(b).to.include({ incomplete: false });
    expect(b.urls).to.deep.equal([]);
    expect((await jobs().recent(10)).map((j) => j.id)).to.have.members([a.id, b.id]);
    expect((await jobs().incomplete()).map((j) => j.id)).to.deep.equal([a.id]);
  });

  it('are claimed by one owner each, oldest first, even when claimed concurrently', async () => {
    const queued = [];
    for (let i = 0; i < 4; i++) queued.push(await jobs().enqueue({ types: ['Patient'] }));
    const claims = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((owner) => jobs().claim(owner, 60_000)));
    const taken = claims.filter((c) => c !== undefined);
    expect(taken).to.have.length(4);
    expect(new Set(taken.map((c) => c!.id)).size).to.equal(4);
    for (const c of taken) expect(c).to.include({ status: 'running', attempts: 1 });
    expect(await jobs().claim('g', 60_000)).to.equal(undefined);
  });

  it('record progress only for their owner, and are taken over once the lease expires', async () => {
    const job = await jobs().enqueue({ types: ['Patient'] });
    await jobs().claim('first', 60_000);
    expect(await jobs().progress(job.id, 'other', { processed: 5 }, 60_000)).to.equal(false);
    expect(await jobs().progress(job.id, 'first', { processed: 5, total: 10, cursor: { type: 'Patient', id: 'p5' } }, 1)).to.equal(true);
    expect(await jobs().get(job.id)).to.include({ processed: 5, total: 10, owner: 'first' });
    expect((await jobs().get(job.id))!.cursor).to.deep.equal({ type: 'Patient', id: 'p5' });
    await sleep(30);
    const taken = await jobs().claim('second', 60_000);
    expect(taken).to.include({ id: job.id, owner: 'second', attempts: 2, processed: 5 });
    expect(taken!.cursor).to.deep.equal({ type: 'Patient', id: 'p5' });
    expect(await jobs().progress(job.id, 'first', { processed: 6 }, 60_000)).to.equal(false);
    expect(await jobs().progress(job.id, 'second', { phase: 'catch-up', cursor: null }, 60_000)).to.equal(true);
    const moved = (await jobs().get(job.id))!;
    expect(moved.phase).to.equal('catch-up');
    expect(moved.cursor).to.equal(undefined);
    expect(await jobs().finish(job.id, 'first')).to.equal(false);
    expect(await jobs().finish(job.id, 'second')).to.equal(true);
    expect(await jobs().get(job.id)).to.include({ status: 'done' });
    expect((await jobs().get(job.id))!.finishedAt).to.be.a('string');
  });

  it('go back to the queue when released or retried, and fail for good otherwise', async () => {
    const job = await jobs().enqueue({ types: ['Patient'], codes: ['x'], incomplete: true });
    await jobs().claim('a', 60_000);
    expect(await jobs().release(job.id, 'a')).to.equal(true);
    expect(await jobs().get(job.id)).to.include({ status: 'queued' });
    await jobs().claim('a', 60_000);
    expect(await jobs().fail(job.id, 'a', 'boom', true)).to.equal(true);
    expect(await jobs().get(job.id)).to.include({ status: 'queued', error: 'boom' });
    await jobs().claim('a', 60_000);
    expect(await jobs().fail(job.id, 'a', 'boom again', false)).to.equal(true);
    expect(await jobs().get(job.id)).to.include({ status: 'failed', error: 'boom again', attempts: 3 });
    expect((await jobs().incomplete()).map((j) => j.id)).to.deep.equal([job.id]);

    // A later job over the same types and codes (or all codes) settles the failed one.
    const narrower = await jobs().enqueue({ types: ['Observation'] });
    await jobs().claim('b', 60_000);
    await jobs().finish(narrower.id, 'b');
    expect((await jobs().incomplete()).map((j) => j.id)).to.deep.equal([job.id]);
    const covering = await jobs().enqueue({ types: ['Observation', 'Patient'] });
    await jobs().claim('b', 60_000);
    await jobs().finish(covering.id, 'b');
    expect(await jobs().incomplete()).to.deep.equal([]);
    expect(await jobs().get(job.id)).to.include({ status: 'failed', incomplete: false });
  });
});

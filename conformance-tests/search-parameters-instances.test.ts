import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { adminQuery, http, unique, type ServerContext } from './harness';
import { jobOf, latestJob, searchFor, waitForJob } from './search-parameter-helpers';
import { ROOT } from './server-process';

/**
 * Two Hearth processes on one PostgreSQL database (replicas): a SearchParameter written through
 * one is picked up by the other within the sync interval, and reindex jobs are shared, each run
 * by one of them. The processes run from source (tsx), so no build is needed.
 */

const ADMIN_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NOTE_URL = 'http://example.org/fhir/SearchParameter/replica-note-text';


interface Instance {
  child: ChildProcess;
  url: Promise<string>;
}

function startFromSource(env: Record<string, string>): Instance {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/main.ts'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  process.once('exit', () => child.kill('SIGKILL'));
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const url = new Promise<string>((resolve, reject) => {
    let pending = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      for (const line of pending.split('\n').slice(0, -1)) {
        const log = JSON.parse(line) as { msg?: string; url?: string };
        if (log.msg === 'listening') resolve(log.url!);
      }
      pending = pending.slice(pending.lastIndexOf('\n') + 1);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
  return { child, url };
}

function stop(i: Instance | undefined): Promise<void> {
  if (!i || i.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    i.child.once('exit', () => resolve());
    i.child.kill('SIGTERM');
  });
}

const contextOf = (url: string): ServerContext => ({
  url: () => url,
  client: () => {
    throw new Error('not used');
  },
  http: (method, path, options) => http(method, /^https?:/.test(path) ? path : `${url}/${path.replace(/^\//, '')}`, options),
});

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
}

const knows = async (ctx: ServerContext, code: string): Promise<boolean> => {
  const cs = (await ctx.http('GET', 'metadata')).json;
  return cs.rest[0].resource.find((r: any) => r.type === 'Observation').searchParam.some((p: any) => p.name === code);
};

describe('custom search parameters on two servers sharing one PostgreSQL database', function () {
  const name = `hearth_sp_replicas_${randomBytes(5).toString('hex')}`;
  let a: Instance | undefined;
  let b: Instance | undefined;
  let first: ServerContext;
  let second: ServerContext;

  before(async function () {
    await adminQuery(ADMIN_URL, `CREATE DATABASE ${name}`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    const env = { DATABASE_URL: url.toString(), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', HEARTH_DB_POOL_SIZE: '4', HEARTH_SYNC_INTERVAL_MS: '200' };
    a = startFromSource(env);
    first = contextOf(await a.url);
    b = startFromSource(env);
    second = contextOf(await b.url);
  });

  after(async function () {
    await Promise.all([stop(a), stop(b)]);
    await adminQuery(ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('picks up a SearchParameter created through the other server within the sync interval', async () => {
    const tag = unique('replica');
    for (let i = 0; i < 3; i++) expect((await second.http('POST', 'Observation', { body: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, note: [{ text: `${tag} old ${i}` }] } })).status).to.equal(201);
    const sp = { resourceType: 'SearchParameter', url: NOTE_URL, name: 'NoteText', status: 'active', description: 'Notes', code: 'note-text', base: ['Observation'], type: 'string', expression: 'Observation.note.text' };
    expect((await first.http('POST', 'SearchParameter', { body: sp })).status).to.equal(201);
    const waited = await until('the second server to know note-text', () => knows(second, 'note-text'));
    expect(waited).to.be.below(5_000);
    // Written through the second server, indexed with the new parameter at once.
    expect((await second.http('POST', 'Observation', { body: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, note: [{ text: `${tag} new` }] } })).status).to.equal(201);
    expect((await searchFor(second, `Observation?note-text=${tag} new`)).matches).to.have.length(1);
    const done = await waitForJob(second, (await latestJob(second, NOTE_URL)).id);
    expect(done).to.include({ status: 'done', attempts: 1 });
    for (const ctx of [first, second]) {
      // The server that did not run the job learns that it is done at its next sync.
      await until('complete results', async () => (await searchFor(ctx, `Observation?note-text=${tag}`)).issues.length === 0, 5_000);
      expect((await searchFor(ctx, `Observation?note-text=${tag}`)).matches).to.have.length(4);
    }
  });

  it('shares the reindex jobs: each is run once, by one of the servers', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await (i % 2 ? first : second).http('POST', 'Observation/$reindex');
      expect(res.status).to.equal(202);
      ids.push(jobOf(res.json.parameter).id);
    }
    for (const id of ids) {
      const job = await waitForJob(first, id);
      expect(job).to.include({ status: 'done', attempts: 1 });
      expect(job.processed).to.equal(job.total);
    }
  });

  it('forgets a SearchParameter deleted through the other server', async () => {
    expect((await second.http('DELETE', `SearchParameter?url=${encodeURIComponent(NOTE_URL)}`)).status).to.equal(204);
    expect(await knows(second, 'note-text')).to.equal(false);
    await until('the first server to forget note-text', async () => !(await knows(first, 'note-text')));
    expect((await searchFor(first, 'Observation?note-text=x')).issues.map((i) => i.code)).to.deep.equal(['not-supported']);
  });
});

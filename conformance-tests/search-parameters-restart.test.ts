import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config';
import { createLogger } from '../src/core/logger';
import { startServer, type RunningServer } from '../src/http/server';
import { adminQuery, http, sleep, unique, type ServerContext } from './harness';
import { latestJob, searchFor, waitForJob } from './search-parameter-helpers';

/** Custom SearchParameters survive a restart, and an interrupted reindex job resumes. */

const MAIDEN_URL = 'http://example.org/fhir/SearchParameter/restart-mothers-maiden-name';
const MAIDEN_EXT = 'http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName';

interface Storage {
  env: Record<string, string>;
  dispose(): Promise<void>;
}


const storages: [string, () => Promise<Storage>][] = [
  [
    'pglite on disk',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hearth-sp-restart-'));
      return { env: { HEARTH_DATA_DIR: dir }, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
];
const adminUrl = process.env['TEST_DATABASE_URL'];
if (adminUrl) {
  storages.push([
    'postgres',
    async () => {
      const name = `hearth_sp_restart_${randomBytes(5).toString('hex')}`;
      await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return { env: { DATABASE_URL: url.toString() }, dispose: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
    },
  ]);
}

function start(env: Record<string, string>): Promise<RunningServer> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', HEARTH_SYNC_INTERVAL_MS: '1000', ...env });
  return startServer(config, createLogger(config.logLevel));
}

function contextOf(server: RunningServer): ServerContext {
  return {
    url: () => server.url,
    client: () => {
      throw new Error('not used');
    },
    http: (method, path, options) => http(method, /^https?:/.test(path) ? path : `${server.url}/${path.replace(/^\//, '')}`, options),
  };
}

for (const [title, open] of storages) {
  describe(`custom search parameters across a restart [${title}]`, function () {
    let storage: Storage;
    let server: RunningServer | undefined;

    before(async () => {
      storage = await open();
    });
    after(async () => {
      await server?.close();
      await storage.dispose();
    });

    it('loads the stored SearchParameters at start, and finishes the reindex the first server left', async () => {
      server = await start(storage.env);
      let ctx = contextOf(server);
      const maiden = unique('Maiden');
      for (let i = 0; i < 3; i++) {
        const res = await ctx.http('POST', 'Patient', { body: { resourceType: 'Patient', extension: [{ url: MAIDEN_EXT, valueString: `${maiden}-${i}` }] } });
        expect(res.status).to.equal(201);
      }
      const sp = { resourceType: 'SearchParameter', url: MAIDEN_URL, name: 'MothersMaidenName', status: 'active', description: "Mother's maiden name", code: 'mothers-maiden-name', base: ['Patient'], type: 'string', expression: `Patient.extension('${MAIDEN_EXT}').value` };
      expect((await ctx.http('POST', 'SearchParameter', { body: sp })).status).to.equal(201);
      const job = await latestJob(ctx, MAIDEN_URL);
      // Stopped while the job runs (it waits for its catch-up pass): it goes back to the queue.
      for (let i = 0; i < 50 && (await latestJob(ctx, MAIDEN_URL)).status !== 'running'; i++) await sleep(20);
      expect((await latestJob(ctx, MAIDEN_URL)).status).to.equal('running');
      await server.close();
      server = undefined;

      server = await start(storage.env);
      ctx = contextOf(server);
      const cs = (await ctx.http('GET', 'metadata')).json;
      expect(cs.rest[0].resource.find((r: any) => r.type === 'Patient').searchParam.map((p: any) => p.name)).to.include('mothers-maiden-name');
      const done = await waitForJob(ctx, job.id);
      expect(done).to.include({ status: 'done', attempts: 2 });
      expect(done.processed).to.equal(done.total);
      const found = await searchFor(ctx, `Patient?mothers-maiden-name=${maiden}`);
      expect(found.matches).to.have.length(3);
      expect(found.issues).to.deep.equal([]);

      expect((await ctx.http('DELETE', `SearchParameter?url=${encodeURIComponent(MAIDEN_URL)}`)).status).to.equal(204);
      await server.close();
      server = await start(storage.env);
      const after = await searchFor(contextOf(server), `Patient?mothers-maiden-name=${maiden}`);
      expect(after.issues.map((i) => i.code)).to.deep.equal(['not-supported']);
    });
  });
}

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Bundle } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { silentLogger } from '../core/logger';
import type { InteractionContext } from '../interactions/types';
import { openStorage } from '../storage/open';
import type { Repository } from '../storage/repository';
import { empty } from '../storage/sql';
import { forEachDatabase } from '../storage/test-databases';
import { sharedDataPath } from '../testing/shared-data';
import { createBaseValidator } from '../validation';
import { runImport, type ImportSummary } from './run';
import { listFiles } from './sources';
import { directTarget } from './targets';

const ROOT = resolve(__dirname, '..', '..');
const SAMPLE = sharedDataPath('synthea-r4', 'smart-on-fhir-generated-sample-data', 'sample');
const validator = createBaseValidator();

/** Sample files sorted by size, smallest first. */
function sampleFiles(): string[] {
  return readdirSync(SAMPLE).filter((f) => f.endsWith('.json')).map((f) => join(SAMPLE, f)).sort((a, b) => statSync(a).size - statSync(b).size);
}
const readBundle = (file: string): Bundle => JSON.parse(readFileSync(file, 'utf8')) as Bundle;
const typeCounts = (files: string[]): Map<string, number> => {
  const m = new Map<string, number>();
  for (const f of files) for (const e of readBundle(f).entry ?? []) m.set(e.resource!.resourceType, (m.get(e.resource!.resourceType) ?? 0) + 1);
  return m;
};
const line = (r: object): string => JSON.stringify(r);

/** Runs a command; resolves with its exit code and output. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

forEachDatabase('importer: runImport into the database', (db) => {
  let dir = '';
  before(() => (dir = mkdtempSync(join(tmpdir(), 'hearth-import-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const repo = (): Repository => db.repository();
  const ctx = (): InteractionContext => ({
    repo: repo(),
    validator,
    logger: silentLogger,
    limits: { defaultPageSize: 20, maxPageSize: 100 },
    integrity: { checkReferences: true, refuseReferencedDeletes: true },
  });
  const importing = (paths: string[], ndjsonChunk?: number): Promise<ImportSummary> =>
    runImport({ paths, target: directTarget(ctx(), async () => {}), concurrency: 2, ndjsonChunk, progress: null });
  const count = async (type: string): Promise<number> => (await repo().find(type, empty, 100_000)).length;
  const write = (name: string, text: string): string => {
    const file = join(dir, name);
    mkdirSync(resolve(file, '..'), { recursive: true });
    writeFileSync(file, text);
    return file;
  };

  describe('Synthea sample Bundles', () => {
    const smallest = (): string[] => sampleFiles().slice(0, 2);

    it('stores every resource of the two smallest files, each under its urn:uuid', async () => {
      const files = smallest();
      const summary = await importing(files);
      const expected = typeCounts(files);
      const total = [...expected.values()].reduce((a, b) => a + b, 0);
      expect(summary).to.include({ files: 2, units: 2, resources: total, failedResources: 0 });
      expect(summary.failures).to.deep.equal([]);
      expect(summary.seconds).to.be.at.least(0);
      expect(summary.rate).to.be.greaterThan(0);
      for (const [type, n] of expected) expect(await count(type), type).to.equal(n);
      const first = readBundle(files[0]!).entry![0]!;
      const stored = await repo().readCurrent(first.resource!.resourceType, first.fullUrl!.slice('urn:uuid:'.length));
      expect(stored?.deleted).to.equal(false);
    });

    it('creates no duplicates when the same files are imported again', async () => {
      const files = smallest();
      const expected = typeCounts(files);
      const versionsBefore = (await repo().history({ count: 0 })).total ?? -1;
      const summary = await importing(files);
      expect(summary.failures).to.deep.equal([]);
      for (const [type, n] of expected) expect(await count(type), type).to.equal(n);
      const versionsAfter = (await repo().history({ count: 0 })).total ?? -1;
      expect(versionsAfter - versionsBefore).to.be.at.most(summary.resources);
    });

    it('imports a patient Bundle twice with its references rewritten to the stable ids and no duplicates', async function () {
      this.timeout(300_000);
      const file = sampleFiles().find((f) => !/Information\d*\.json$/.test(f))!;
      const bundle = readBundle(file);
      const patientEntry = bundle.entry!.find((e) => e.resource!.resourceType === 'Patient')!;
      const patientId = patientEntry.fullUrl!.slice('urn:uuid:'.length);
      const encounters = bundle.entry!.filter((e) => e.resource!.resourceType === 'Encounter').length;
      for (let round = 1; round <= 2; round++) {
        const summary = await importing([file]);
        expect(summary.failures, `round ${round}`).to.deep.equal([]);
        expect(summary.resources).to.equal(bundle.entry!.length);
        expect(await count('Encounter'), `round ${round}`).to.equal(encounters);
      }
      const enc = bundle.entry!.find((e) => e.resource!.resourceType === 'Encounter')!;
      const stored = await repo().readCurrent('Encounter', enc.fullUrl!.slice('urn:uuid:'.length));
      expect((stored?.content as any)?.subject?.reference).to.equal(`Patient/${patientId}`);
      expect(stored?.versionId).to.equal(2);
    });
  });

  describe('NDJSON, folders and failures', () => {
    it('imports NDJSON, reporting an invalid resource as a failure with its reason while the others are stored', async () => {
      const ids = ['nd-1', 'nd-2', 'nd-3', 'nd-5'];
      const file = write('patients.ndjson', [
        line({ resourceType: 'Patient', id: 'nd-1', gender: 'male' }),
        line({ resourceType: 'Patient', id: 'nd-2', gender: 'female' }),
        line({ resourceType: 'Patient', id: 'nd-bad', gender: 'not-a-gender' }),
        line({ resourceType: 'Patient', id: 'nd-3' }),
        '',
        line({ resourceType: 'Patient', id: 'nd-5', birthDate: '1990-01-01' }),
      ].join('\n') + '\n');
      const summary = await importing([file], 2);
      expect(summary).to.include({ files: 1, units: 3, resources: 5, failedResources: 1 });
      expect(summary.failures).to.have.length(1);
      const [failure] = summary.failures;
      expect(failure!.source).to.equal(`${file}:3-4 entry 0`);
      expect(failure!.status).to.equal(400);
      expect(failure!.reason).to.match(/gender/i);
      for (const id of ids) expect((await repo().readCurrent('Patient', id))?.deleted, id).to.equal(false);
      expect(await repo().readCurrent('Patient', 'nd-bad')).to.equal(undefined);
    });

    it('reports a malformed NDJSON line as a failure naming the line, and imports the other lines', async () => {
      const file = write('malformed.ndjson', [line({ resourceType: 'Patient', id: 'mf-1' }), '{"resourceType": "Patient", "id": ', line({ resourceType: 'Patient', id: 'mf-3' })].join('\n'));
      let summary: ImportSummary | undefined;
      let error: unknown;
      try {
        summary = await importing([file]);
      } catch (err) {
        error = err;
      }
      expect(error, `runImport threw: ${String(error)}`).to.equal(undefined);
      expect(summary!.failures).to.have.length(1);
      expect(summary!.failures[0]!.source).to.contain(`${file}:2`);
      for (const id of ['mf-1', 'mf-3']) expect((await repo().readCurrent('Patient', id))?.deleted, id).to.equal(false);
    });

    it('descends into folders and picks up .json and .ndjson files only', async () => {
      const root = join(dir, 'tree');
      const files = [
        write('tree/a.json', line({ resourceType: 'Patient', id: 'tree-a' })),
        write('tree/sub/b.ndjson', `${line({ resourceType: 'Patient', id: 'tree-b1' })}\n${line({ resourceType: 'Patient', id: 'tree-b2' })}\n`),
        write('tree/sub/deeper/c.JSON', line({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient', id: 'tree-c' } }] })),
      ];
      write('tree/notes.txt', line({ resourceType: 'Patient', id: 'tree-txt' }));
      write('tree/sub/d.xml', '<Patient xmlns="http://hl7.org/fhir"><id value="tree-xml"/></Patient>');
      write('tree/sub/e.json.bak', line({ resourceType: 'Patient', id: 'tree-bak' }));
      expect((await listFiles([root])).sort()).to.deep.equal([...files].sort());
      const summary = await importing([root]);
      expect(summary).to.include({ files: 3, units: 3, resources: 4, failedResources: 0 });
      for (const id of ['tree-a', 'tree-b1', 'tree-b2', 'tree-c']) expect((await repo().readCurrent('Patient', id))?.deleted, id).to.equal(false);
      for (const id of ['tree-txt', 'tree-xml', 'tree-bak']) expect(await repo().readCurrent('Patient', id), id).to.equal(undefined);
    });

    it('counts a failed transaction as a whole unit of failed resources, with its reason', async () => {
      write('mix/good.json', line({ resourceType: 'Bundle', type: 'transaction', entry: [
        { fullUrl: 'urn:uuid:0b4f5a2e-8f0c-4c39-9d0a-4a3c3f9f2a11', resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'urn:uuid:0b4f5a2e-8f0c-4c39-9d0a-4a3c3f9f2a11' } }, request: { method: 'POST', url: 'Observation' } },
      ] }));
      const bad = write('mix/bad.json', line({ resourceType: 'Bundle', type: 'transaction', entry: [
        { resource: { resourceType: 'Patient', id: 'mix-p' }, request: { method: 'PUT', url: 'Patient/mix-p' } },
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/mix-missing' } }, request: { method: 'POST', url: 'Observation' } },
      ] }));
      write('mix/more.ndjson', `${line({ resourceType: 'Patient', id: 'mix-n1' })}\n${line({ resourceType: 'Patient', id: 'mix-n2', active: 'yes' })}\n`);
      const summary = await importing([join(dir, 'mix')]);
      expect(summary).to.include({ files: 3, units: 3, resources: 6, failedResources: 3 });
      const bySource = new Map(summary.failures.map((f) => [f.source, f]));
      expect([...bySource.keys()].sort()).to.deep.equal([bad, `${join(dir, 'mix', 'more.ndjson')}:1-2 entry 1`].sort());
      expect(bySource.get(bad)!.status).to.equal(422);
      expect(bySource.get(bad)!.reason).to.contain('Patient/mix-missing');
      expect(await repo().readCurrent('Patient', 'mix-p')).to.equal(undefined);
      expect((await repo().readCurrent('Patient', 'mix-n1'))?.deleted).to.equal(false);
      expect((await repo().readCurrent('Patient', '0b4f5a2e-8f0c-4c39-9d0a-4a3c3f9f2a11'))?.deleted).to.equal(false);
    });
  });
});

describe('importer: the CLI (scripts/import.ts)', () => {
  const env = (extra: Record<string, string>): NodeJS.ProcessEnv => {
    const { DATABASE_URL: _db, HEARTH_DATA_DIR: _dir, ...rest } = process.env;
    return { ...rest, LOG_LEVEL: 'warn', ...extra };
  };

  it('prints its usage with --help and exits 0', async () => {
    const r = await run('npx', ['tsx', 'scripts/import.ts', '--help'], env({}));
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^Usage: npm run import -- \[options\] <files or folders\.\.\.>/);
    for (const option of ['--url', '--direct', '--header', '--concurrency', '--chunk', '--help']) expect(r.stdout).to.contain(option);
  });

  it('imports a file with --direct into the embedded database of HEARTH_DATA_DIR and prints its summary', async function () {
    this.timeout(300_000);
    const dataDir = mkdtempSync(join(tmpdir(), 'hearth-cli-'));
    try {
      const file = sampleFiles()[0]!;
      const entries = readBundle(file).entry!;
      const r = await run('npx', ['tsx', 'scripts/import.ts', '--direct', file], env({ HEARTH_DATA_DIR: dataDir }));
      expect(r.code, `${r.stdout}\n${r.stderr}`).to.equal(0);
      const summary = new RegExp(`^Imported ${entries.length} of ${entries.length} resources from 1 files? into database in \\d+\\.\\d s \\(\\d+ resources/s\\)\\.$`, 'm');
      expect(r.stdout).to.match(summary);
      expect(r.stdout).to.not.contain('failures');
      const storage = await openStorage({ dataDir, logger: silentLogger });
      try {
        const type = entries[0]!.resource!.resourceType;
        expect((await storage.repository.find(type, empty, 10_000)).length).to.equal(entries.length);
      } finally {
        await storage.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

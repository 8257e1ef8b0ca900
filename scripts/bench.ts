/**
 * Benchmarks, printed as figures and as ratios of the raw PostgreSQL limit.
 *   npm run bench
 * Env: BENCH_PATIENTS (Synthea patients for the large load, default 330 ≈ 100k resources),
 *      BENCH_SMALL_PATIENTS (for the concurrency-1 and direct loads, default 30),
 *      BENCH_DATABASE_URL (admin connection, default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Bundle } from '@medplum/fhirtypes';
import { silentLogger } from '../src/core/logger';
import { runImport, type ImportSummary } from '../src/importer/run';
import { directTarget, httpTarget } from '../src/importer/targets';
import { openStorage } from '../src/storage/open';
import { sharedDataPath } from '../src/testing/shared-data';
import { createBaseValidator } from '../src/validation';
import { dropDatabase, freshDatabase } from './bench/databases';
import { rawInsertRate } from './bench/raw-limit';
import { rssMb, startServerProcess } from './bench/server-process';
import { fmt, percentile, printTable, type Row } from './bench/stats';
import { validationRows } from './bench/validation';
import { replicate } from './bench/replicate';
import { searchRows } from './bench/search';
import { extractionRows } from './bench/extraction';

const HELP = `Usage: npm run bench [-- --help]

Builds the server, runs it as its own process (node dist/main.js) on fresh PostgreSQL databases,
loads Synthea transaction Bundles over HTTP and straight into the database, and prints resources/s,
latency percentiles, the raw PostgreSQL insert limit, server memory and validation time.
Needs PostgreSQL and unzip. Takes no options; configured by the environment:
  BENCH_PATIENTS        Synthea patients in the large load (default 330, about 100,000 resources)
  BENCH_SMALL_PATIENTS  patients in the concurrency-1 and direct loads (default 30)
  BENCH_SEARCH_COPIES   extra copies of the large load for the search benchmark (default 9,
                        about 1,000,000 resources in all)
  BENCH_DATABASE_URL    admin connection used to create and drop the benchmark databases
                        (default TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres)
`;

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(HELP);
  process.exit(0);
}

const ROOT = resolve(__dirname, '..');
const WORK = join(ROOT, '.bench');
const PATIENTS = Number(process.env.BENCH_PATIENTS ?? 330);
const SMALL = Number(process.env.BENCH_SMALL_PATIENTS ?? 30);
const COPIES = Number(process.env.BENCH_SEARCH_COPIES ?? 9);

/** Unzips the Synthea sample set once into .bench/ and returns the patient bundle files, sorted. */
function syntheaFiles(): string[] {
  const dir = join(WORK, 'synthea');
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    const zip = sharedDataPath('synthea-r4', 'smart-on-fhir-generated-sample-data', 'smart-r4-synthea-617-bundles.zip');
    execFileSync('unzip', ['-q', '-o', '-j', zip, '*.json', '-d', dir]);
  }
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
}

interface LoadFigures {
  summary: ImportSummary;
  latencies: number[];
  /** Rate over the first and the last tenth of the resources. */
  firstTenth: number;
  lastTenth: number;
}

async function load(files: string[], target: Parameters<typeof runImport>[0]['target'], concurrency: number): Promise<LoadFigures> {
  const latencies: number[] = [];
  const marks: { at: number; done: number }[] = [{ at: performance.now(), done: 0 }];
  let done = 0;
  const summary = await runImport({
    paths: files,
    target,
    concurrency,
    progress: null,
    onUnit: (unit, ms) => {
      latencies.push(ms);
      done += unit.resources;
      marks.push({ at: performance.now(), done });
    },
  });
  const total = done;
  const at = (fraction: number) => marks.find((m) => m.done >= fraction * total) ?? marks[marks.length - 1]!;
  const rate = (a: { at: number; done: number }, b: { at: number; done: number }) => ((b.done - a.done) / (b.at - a.at)) * 1000;
  return { summary, latencies, firstTenth: rate(marks[0]!, at(0.1)), lastTenth: rate(at(0.9), marks[marks.length - 1]!) };
}

function loadRows(label: string, f: LoadFigures, limit: number): Row[] {
  return [
    { name: `${label}: resources/s`, value: fmt(f.summary.rate), note: `${fmt((100 * f.summary.rate) / limit, 1)}% of raw limit; ${f.summary.resources} resources, ${f.summary.failedResources} failed` },
    { name: `${label}: p50 per Bundle`, value: `${fmt(percentile(f.latencies, 50), 1)} ms` },
    { name: `${label}: p95 per Bundle`, value: `${fmt(percentile(f.latencies, 95), 1)} ms` },
  ];
}

async function main(): Promise<void> {
  process.stdout.write('Building…\n');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  const all = syntheaFiles();
  const large = all.slice(0, PATIENTS);
  const small = all.slice(0, SMALL);
  const resources = large.flatMap((f) => ((JSON.parse(readFileSync(f, 'utf8')) as Bundle).entry ?? []).map((e) => JSON.stringify(e.resource)));
  process.stdout.write(`Synthea: ${large.length} patients, ${resources.length} resources for the large load; ${small.length} patients for the small ones.\n`);

  const dbRaw = await freshDatabase('hearth_bench_raw');
  const limit = await rawInsertRate(dbRaw, resources);
  await dropDatabase('hearth_bench_raw');

  const rows: Row[] = [{ name: 'raw PostgreSQL limit (multi-row INSERT into bare JSONB)', value: fmt(limit), note: 'resources/s' }];

  // HTTP, concurrency 1.
  const db1 = await freshDatabase('hearth_bench_c1');
  let server = await startServerProcess({ DATABASE_URL: db1 }, 18_181);
  const c1 = await load(small, httpTarget(server.url), 1);
  await server.stop();
  rows.push(...loadRows('HTTP c=1', c1, limit));

  // HTTP, concurrency 4, the large load.
  const db4 = await freshDatabase('hearth_bench_c4');
  server = await startServerProcess({ DATABASE_URL: db4 }, 18_182);
  const c4 = await load(large, httpTarget(server.url), 4);
  const rss = await rssMb(server.pid);
  await server.stop();
  rows.push(...loadRows('HTTP c=4', c4, limit));
  rows.push({ name: 'HTTP c=4: first tenth → last tenth', value: `${fmt(c4.firstTenth)} → ${fmt(c4.lastTenth)}`, note: `${fmt((100 * (c4.firstTenth - c4.lastTenth)) / c4.firstTenth, 1)}% slowdown (target ≤ 20%)` });
  rows.push({ name: 'server RSS after the large load', value: `${fmt(rss)} MB`, note: 'target < 300 MB' });

  // Search and read over the large load, replicated to COPIES + 1 times its size.
  process.stdout.write(`Replicating the large load ${COPIES} times for the search benchmark…\n`);
  const total = await replicate(db4, COPIES);
  server = await startServerProcess({ DATABASE_URL: db4 }, 18_183);
  const searchTable = await searchRows(server.url, db4, total);
  await server.stop();

  // Straight into the database, in this process.
  const dbd = await freshDatabase('hearth_bench_direct');
  const storage = await openStorage({ databaseUrl: dbd, dataDir: '', logger: silentLogger, poolSize: 8 });
  const ctx = {
    repo: storage.repository,
    validator: createBaseValidator(),
    logger: silentLogger,
    limits: { defaultPageSize: 20, maxPageSize: 100 },
    integrity: { checkReferences: true, refuseReferencedDeletes: true },
  };
  const direct = await load(small, directTarget(ctx, () => storage.close()), 4);
  await storage.close();
  rows.push(...loadRows('direct c=4', direct, limit));

  for (const name of ['hearth_bench_c1', 'hearth_bench_c4', 'hearth_bench_direct']) await dropDatabase(name);
  printTable('Ingest (Synthea transaction Bundles, PostgreSQL on this machine)', rows);
  printTable('Search and read over HTTP (PostgreSQL)', searchTable);
  printTable('Validation (R4 base, Synthea sample resources)', validationRows());
  printTable('Search index extraction (Synthea sample resources, one core)', extractionRows());
  process.stdout.write('\nTargets: ≥ 3,000 resources/s over HTTP (stretch 6,000); ≤ 20% slowdown first → last tenth.\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});

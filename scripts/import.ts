/**
 * Bulk import of FHIR Bundles (transaction, batch, collection), single resources and NDJSON files.
 *   npm run import -- [options] <files or folders...>
 */
import { loadConfig } from '../src/config/config';
import { createLogger } from '../src/core/logger';
import { runImport } from '../src/importer/run';
import { directTarget, httpTarget, type ImportTarget } from '../src/importer/targets';
import { openStorage } from '../src/storage/open';
import { createBaseValidator } from '../src/validation';

const HELP = `Usage: npm run import -- [options] <files or folders...>

Loads .json files (transaction/batch/collection Bundles or single resources) and .ndjson files
(one resource per line) into Hearth. Re-running an import creates no duplicates: entries that
would create a new resource each time are sent as PUTs with a stable id.

Options:
  --url URL            FHIR base of a running server (default http://localhost:8080/fhir)
  --direct             write straight into the database instead (DATABASE_URL or HEARTH_DATA_DIR)
  --header "Name: v"   extra HTTP header, e.g. an Authorization bearer token (repeatable)
  --concurrency N      Bundles in flight at once (default 4)
  --chunk N            NDJSON resources per Bundle (default 500)
  --help               show this help
`;

interface Args {
  url: string;
  direct: boolean;
  headers: Record<string, string>;
  concurrency: number;
  chunk: number;
  paths: string[];
}

function parseArgs(argv: string[]): Args {
  const a: Args = { url: 'http://localhost:8080/fhir', direct: false, headers: {}, concurrency: 4, chunk: 500, paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(HELP);
      process.exit(0);
    } else if (arg === '--url') a.url = value();
    else if (arg === '--direct') a.direct = true;
    else if (arg === '--header') {
      const [name, ...rest] = value().split(':');
      a.headers[name!.trim()] = rest.join(':').trim();
    } else if (arg === '--concurrency') a.concurrency = Number(value());
    else if (arg === '--chunk') a.chunk = Number(value());
    else if (arg.startsWith('--')) throw new Error(`Unknown option ${arg}`);
    else a.paths.push(arg);
  }
  if (a.paths.length === 0) throw new Error('Name at least one file or folder');
  if (!Number.isInteger(a.concurrency) || a.concurrency < 1) throw new Error('--concurrency must be a positive integer');
  if (!Number.isInteger(a.chunk) || a.chunk < 1) throw new Error('--chunk must be a positive integer');
  return a;
}

async function target(args: Args): Promise<ImportTarget> {
  if (!args.direct) return httpTarget(args.url, args.headers);
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, { service: 'hearth-import' });
  const storage = await openStorage({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger, poolSize: config.dbPoolSize });
  const ctx = {
    repo: storage.repository,
    validator: createBaseValidator(),
    logger,
    limits: { defaultPageSize: 20, maxPageSize: 1000 },
    integrity: { checkReferences: config.checkReferences, refuseReferencedDeletes: config.refuseReferencedDeletes },
  };
  return directTarget(ctx, () => storage.close());
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const t = await target(args);
  try {
    const summary = await runImport({ paths: args.paths, target: t, concurrency: args.concurrency, ndjsonChunk: args.chunk });
    process.stdout.write(
      `Imported ${summary.resources - summary.failedResources} of ${summary.resources} resources from ${summary.files} files into ${t.describe} ` +
        `in ${summary.seconds.toFixed(1)} s (${summary.rate.toFixed(0)} resources/s).\n`,
    );
    if (summary.failures.length > 0) {
      process.stdout.write(`${summary.failures.length} failures:\n`);
      for (const f of summary.failures.slice(0, 100)) process.stdout.write(`  ${f.source}: ${f.status} ${f.reason}\n`);
      if (summary.failures.length > 100) process.stdout.write(`  … and ${summary.failures.length - 100} more\n`);
      process.exitCode = 1;
    }
  } finally {
    await t.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`import failed: ${(e as Error).message}\n`);
  process.exit(2);
});

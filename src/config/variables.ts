/**
 * The environment variables loadConfig reads, with their defaults and meanings, for `--help`.
 * README.md's configuration table says the same at more length; tests keep both in step with loadConfig.
 */
export interface ConfigVariable {
  name: string;
  default: string;
  meaning: string;
}

export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  { name: 'PORT', default: '8080', meaning: 'HTTP port (0 picks a free one)' },
  { name: 'HOST', default: '0.0.0.0', meaning: 'interface to listen on' },
  { name: 'DATABASE_URL', default: 'unset', meaning: 'postgres:// connection string; unset uses the embedded database' },
  { name: 'DATABASE_READ_URL', default: 'unset', meaning: 'postgres:// URL of a streaming standby that serves reads (needs DATABASE_URL)' },
  { name: 'HEARTH_READ_MAX_LAG_MS', default: '1000', meaning: 'reads use the replica only while it is at most this far behind (ms)' },
  { name: 'HEARTH_DATA_DIR', default: './data', meaning: 'directory of the embedded database' },
  { name: 'HEARTH_BASE_URL', default: 'from the request', meaning: 'public FHIR base for Location, fullUrl and links' },
  { name: 'LOG_LEVEL', default: 'info', meaning: 'debug, info, warn, error or silent' },
  { name: 'HEARTH_MAX_BODY_BYTES', default: '16777216', meaning: 'largest request body (larger: 413)' },
  { name: 'HEARTH_DEFAULT_PAGE_SIZE', default: '20', meaning: 'page size when _count is not given' },
  { name: 'HEARTH_MAX_PAGE_SIZE', default: '1000', meaning: 'upper bound for _count' },
  { name: 'HEARTH_SEARCH_HANDLING', default: 'lenient', meaning: 'lenient: unknown search parameters are ignored and reported; strict: 400' },
  { name: 'HEARTH_DB_POOL_SIZE', default: '10', meaning: 'PostgreSQL connections per server process' },
  { name: 'HEARTH_MAX_BUNDLE_ENTRIES', default: '10000', meaning: 'most entries in a batch or transaction Bundle' },
  { name: 'HEARTH_REFERENTIAL_INTEGRITY', default: 'on', meaning: 'on: refuse writes with dangling local references; off' },
  { name: 'HEARTH_DELETE_REFERENCED', default: 'refuse', meaning: 'refuse: deleting a referenced resource is 409; allow' },
  { name: 'HEARTH_ADMIN_CLIENT_ID', default: 'unset', meaning: 'admin technical account id (with the secret)' },
  { name: 'HEARTH_ADMIN_CLIENT_SECRET', default: 'unset', meaning: 'admin technical account secret (with the id)' },
  { name: 'HEARTH_WORKERS', default: '1', meaning: 'server processes sharing the port (above 1 needs DATABASE_URL)' },
  { name: 'HEARTH_SYNC_INTERVAL_MS', default: '2000', meaning: 'how often each server reloads changed SearchParameters and looks for reindex jobs (ms)' },
];

/** The text `node dist/main.js --help` prints. */
export function serverHelp(): string {
  const width = Math.max(...CONFIG_VARIABLES.map((v) => v.name.length));
  const rows = CONFIG_VARIABLES.map((v) => `  ${v.name.padEnd(width)}  ${v.meaning} (default: ${v.default})`);
  return [
    'Usage: node dist/main.js        (npm start builds first)',
    '',
    'Hearth, a FHIR R4 server. FHIR base /fhir; /healthz, /readyz, /metrics, /docs beside it.',
    'Configured only by environment variables, read and validated once at start:',
    '',
    ...rows,
    '',
    'SIGTERM or SIGINT stops it gracefully (exit code 0). See README.md, "Configuration" and "Deploying".',
    '',
  ].join('\n');
}

/** The names loadConfig reads from its environment, observed by handing it a recording one. */
export function readVariableNames(load: (env: Record<string, string | undefined>) => unknown): string[] {
  const seen = new Set<string>();
  const env = new Proxy({} as Record<string, string | undefined>, {
    get(_target, key) {
      if (typeof key === 'string') seen.add(key);
      return undefined;
    },
  });
  load(env);
  return [...seen];
}

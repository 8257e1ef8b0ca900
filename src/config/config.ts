import { isLogLevel, type LogLevel } from '../core/logger';

/** Hearth's configuration, read from the environment once at start and passed in explicitly. */
export interface Config {
  port: number;
  host: string;
  /** PostgreSQL connection string; when absent, the embedded database under dataDir is used. */
  databaseUrl?: string;
  dataDir: string;
  /** PostgreSQL connection string of a streaming standby of databaseUrl that may serve reads. */
  readDatabaseUrl?: string;
  /** Reads go to the read replica only while it is at most this far behind the primary, in ms. */
  readMaxLagMs: number;
  /** Public base URL of the FHIR endpoint (e.g. https://fhir.example.org/fhir); derived from the request when absent. */
  baseUrl?: string;
  logLevel: LogLevel;
  /** Largest accepted request body, in bytes. */
  maxBodyBytes: number;
  /** Refuse writes with local references to resources that do not exist (422). */
  checkReferences: boolean;
  /** Refuse deleting resources that others still refer to (409). */
  refuseReferencedDeletes: boolean;
  /** Most entries accepted in one batch or transaction Bundle. */
  maxBundleEntries: number;
  /** Default and maximum page sizes for history and search. */
  defaultPageSize: number;
  maxPageSize: number;
  /** How searches treat unknown or unsupported parameters without `Prefer: handling=`: ignore and report them, or refuse with 400. */
  searchHandling: 'lenient' | 'strict';
  /** Connections in the PostgreSQL pool. */
  dbPoolSize: number;
  adminClientId?: string;
  adminClientSecret?: string;
  /** Server processes (node:cluster workers) sharing the port; more than one needs PostgreSQL. */
  workers: number;
  /** How often each server reloads changed SearchParameters and looks for queued reindex jobs, in ms. */
  syncIntervalMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be an integer between ${min} and ${max} (got '${raw}')`);
    return fallback;
  }
  return n;
}

function choiceVar<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T, problems: string[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    problems.push(`${name} must be one of ${choices.join(', ')} (got '${raw}')`);
    return fallback;
  }
  return raw as T;
}

function urlVar(env: Env, name: string, protocols: string[], problems: string[]): string | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  try {
    const u = new URL(raw);
    if (!protocols.includes(u.protocol)) problems.push(`${name} must use ${protocols.join(' or ')} (got '${u.protocol}')`);
  } catch {
    problems.push(`${name} is not a valid URL`);
  }
  return raw;
}

/** Reads and validates the configuration; throws ConfigError listing every problem. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!isLogLevel(logLevel)) problems.push(`LOG_LEVEL must be one of debug, info, warn, error, silent (got '${logLevel}')`);
  const baseUrl = urlVar(env, 'HEARTH_BASE_URL', ['http:', 'https:'], problems)?.replace(/\/+$/, '');
  const databaseUrl = urlVar(env, 'DATABASE_URL', ['postgres:', 'postgresql:'], problems);
  const readDatabaseUrl = urlVar(env, 'DATABASE_READ_URL', ['postgres:', 'postgresql:'], problems);
  if (readDatabaseUrl && !databaseUrl) problems.push('DATABASE_READ_URL needs DATABASE_URL: a read replica streams from a PostgreSQL primary');
  const readMaxLagMs = intVar(env, 'HEARTH_READ_MAX_LAG_MS', 1000, 10, 3_600_000, problems);
  const defaultPageSize = intVar(env, 'HEARTH_DEFAULT_PAGE_SIZE', 20, 1, 10_000, problems);
  const maxPageSize = intVar(env, 'HEARTH_MAX_PAGE_SIZE', 1000, 1, 10_000, problems);
  if (defaultPageSize > maxPageSize) problems.push('HEARTH_DEFAULT_PAGE_SIZE must not exceed HEARTH_MAX_PAGE_SIZE');
  const adminClientId = env.HEARTH_ADMIN_CLIENT_ID || undefined;
  const adminClientSecret = env.HEARTH_ADMIN_CLIENT_SECRET || undefined;
  if (Boolean(adminClientId) !== Boolean(adminClientSecret)) {
    problems.push('HEARTH_ADMIN_CLIENT_ID and HEARTH_ADMIN_CLIENT_SECRET must be set together');
  }
  const workers = intVar(env, 'HEARTH_WORKERS', 1, 1, 64, problems);
  if (workers > 1 && !databaseUrl) {
    problems.push('HEARTH_WORKERS above 1 needs DATABASE_URL: the embedded database (PGlite) cannot be shared between processes');
  }
  const config: Config = {
    port: intVar(env, 'PORT', 8080, 0, 65535, problems),
    host: env.HOST || '0.0.0.0',
    databaseUrl,
    dataDir: env.HEARTH_DATA_DIR || './data',
    readDatabaseUrl,
    readMaxLagMs,
    baseUrl,
    logLevel: isLogLevel(logLevel) ? logLevel : 'info',
    maxBodyBytes: intVar(env, 'HEARTH_MAX_BODY_BYTES', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024, problems),
    checkReferences: choiceVar(env, 'HEARTH_REFERENTIAL_INTEGRITY', ['on', 'off'] as const, 'on', problems) === 'on',
    refuseReferencedDeletes: choiceVar(env, 'HEARTH_DELETE_REFERENCED', ['refuse', 'allow'] as const, 'refuse', problems) === 'refuse',
    maxBundleEntries: intVar(env, 'HEARTH_MAX_BUNDLE_ENTRIES', 10_000, 1, 1_000_000, problems),
    defaultPageSize,
    maxPageSize,
    searchHandling: choiceVar(env, 'HEARTH_SEARCH_HANDLING', ['lenient', 'strict'] as const, 'lenient', problems),
    dbPoolSize: intVar(env, 'HEARTH_DB_POOL_SIZE', 10, 1, 200, problems),
    adminClientId,
    adminClientSecret,
    workers,
    syncIntervalMs: intVar(env, 'HEARTH_SYNC_INTERVAL_MS', 2000, 50, 600_000, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

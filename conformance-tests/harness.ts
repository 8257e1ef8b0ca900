import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Client as PgClient } from 'pg';
import type { Client } from 'fhir-kit-client';
import { loadConfig } from '../src/config/config';
import { createLogger } from '../src/core/logger';
import { startServer, type RunningServer } from '../src/http/server';

/** What a suite body sees: the FHIR base of its server, a fhir-kit-client on it, and raw HTTP. */
export interface ServerContext {
  /** FHIR base URL, e.g. http://127.0.0.1:PORT/fhir (available from `before` on). */
  url(): string;
  /** A fhir-kit-client bound to url(). */
  client(): Client;
  /** A raw request relative to url() (or an absolute URL). */
  http(method: string, path: string, options?: HttpOptions): Promise<HttpResponse>;
}

export interface ServerOptions {
  /** Extra environment variables for loadConfig (e.g. HEARTH_MAX_BODY_BYTES). */
  env?: Record<string, string>;
}

export interface HttpOptions {
  headers?: Record<string, string>;
  /** A string or Uint8Array is sent as is; anything else as JSON (Content-Type application/fhir+json unless given). */
  body?: unknown;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is empty or not JSON. */
  json: any;
}

type ClientModule = typeof import('fhir-kit-client');
let clientModule: Promise<ClientModule> | undefined;

/** fhir-kit-client is ESM-only; it is loaded with a dynamic import from this CommonJS code. */
export function loadClientModule(): Promise<ClientModule> {
  clientModule ??= import('fhir-kit-client');
  return clientModule;
}

/** A raw HTTP request with global fetch. */
export async function http(method: string, url: string, options: HttpOptions = {}): Promise<HttpResponse> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | Uint8Array | undefined;
  if (typeof options.body === 'string' || options.body instanceof Uint8Array) body = options.body;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/fhir+json';
  }
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * Declares `describe('<title> [pglite]')` with one server on an in-memory embedded database and,
 * when TEST_DATABASE_URL is set, `describe('<title> [postgres]')` with one server on a freshly
 * created PostgreSQL database that is dropped afterwards.
 */
export function withServer(title: string, body: (ctx: ServerContext) => void, options: ServerOptions = {}): void {
  declareSuite(`${title} [pglite]`, body, options, async () => ({ env: { HEARTH_DATA_DIR: 'memory://' }, dispose: async () => {} }));
  const adminUrl = process.env['TEST_DATABASE_URL'];
  if (adminUrl) declareSuite(`${title} [postgres]`, body, options, () => freshDatabase(adminUrl));
}

interface Database {
  env: Record<string, string>;
  dispose(): Promise<void>;
}

function declareSuite(title: string, body: (ctx: ServerContext) => void, options: ServerOptions, open: () => Promise<Database>): void {
  describe(title, function () {
    let database: Database | undefined;
    let server: RunningServer | undefined;
    let client: Client | undefined;
    before(async function () {
      this.timeout(120_000);
      const { Client: ClientClass } = await loadClientModule();
      database = await open();
      const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...database.env, ...options.env });
      server = await startServer(config, createLogger(config.logLevel));
      client = new ClientClass({ baseUrl: server.url });
    });
    after(async function () {
      this.timeout(60_000);
      try {
        await server?.close();
      } finally {
        await database?.dispose();
      }
    });
    const url = (): string => server?.url ?? notReady();
    body({
      url,
      client: () => client ?? notReady(),
      http: (method, path, opts) => http(method, /^https?:/.test(path) ? path : `${url()}/${path.replace(/^\//, '')}`, opts),
    });
  });
}

async function freshDatabase(adminUrl: string): Promise<Database> {
  const name = `hearth_conformance_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString(), HEARTH_DB_POOL_SIZE: '10' },
    dispose: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** Runs one statement (CREATE/DROP DATABASE) on the admin connection of the test PostgreSQL. */
export async function adminQuery(adminUrl: string, text: string): Promise<void> {
  const pg = new PgClient({ connectionString: adminUrl });
  await pg.connect();
  try {
    await pg.query(text);
  } finally {
    await pg.end();
  }
}

function notReady(): never {
  throw new Error('withServer: the server is only available from the before hook on');
}

/** The HTTP status and body of a fhir-kit-client failure (it throws with `response.status` and `response.data`). */
export interface ClientFailure {
  status: number;
  data: any;
  headers: Headers | undefined;
}

/** Awaits a fhir-kit-client call that must fail, and returns its status and body. */
export async function failure(call: Promise<unknown>): Promise<ClientFailure> {
  try {
    await call;
  } catch (err) {
    const e = err as { response?: { status?: number; data?: unknown }; config?: { headers?: Headers } };
    if (e.response?.status === undefined) throw err;
    return { status: e.response.status, data: e.response.data, headers: e.config?.headers };
  }
  throw new Error('expected the request to fail, but it succeeded');
}

/** Awaits a fhir-kit-client call that must fail with `status` and an OperationOutcome; returns the outcome. */
export async function expectOutcome(call: Promise<unknown>, status: number | number[]): Promise<any> {
  const f = await failure(call);
  const allowed = Array.isArray(status) ? status : [status];
  expect(allowed, `status ${f.status}, body ${JSON.stringify(f.data)}`).to.include(f.status);
  assertCleanOutcome(f.data);
  return f.data;
}

/** Checks a raw response: the status and an OperationOutcome body of FHIR JSON. */
export function expectRawOutcome(res: HttpResponse, status: number | number[]): any {
  const allowed = Array.isArray(status) ? status : [status];
  expect(allowed, `status ${res.status}, body ${res.text}`).to.include(res.status);
  expect(res.headers.get('content-type') ?? '').to.match(/^application\/(fhir\+)?json/);
  assertCleanOutcome(res.json);
  return res.json;
}

const LEAKS: [RegExp, string][] = [
  [/\bat \S+ \(?[^()\s]*:\d+:\d+\)?/, 'stack frame'],
  [/node_modules|\.ts:\d+|\.js:\d+/, 'source path'],
  [/\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b/, 'SQL text'],
  [/\b(syntax error at|relation "|violates .* constraint|duplicate key|pg_|jsonb_)/i, 'database message'],
  [/\b(TypeError|ReferenceError|SyntaxError: Unexpected|undefined is not|Cannot read propert)/, 'JavaScript error'],
];

/** An OperationOutcome with at least one issue, each with severity and code, and no internals leaked. */
export function assertCleanOutcome(outcome: any): void {
  expect(outcome?.resourceType, JSON.stringify(outcome)).to.equal('OperationOutcome');
  expect(outcome.issue).to.be.an('array').that.is.not.empty;
  for (const issue of outcome.issue) {
    expect(issue.severity).to.be.oneOf(['fatal', 'error', 'warning', 'information']);
    expect(issue.code).to.be.a('string').that.is.not.empty;
  }
  const text = JSON.stringify(outcome);
  for (const [pattern, what] of LEAKS) expect(pattern.test(text), `${what} in ${text}`).to.equal(false);
}

/** The expressions of an outcome's error issues, flattened. */
export function errorExpressions(outcome: any): string[] {
  return (outcome.issue as any[]).filter((i) => i.severity === 'error' || i.severity === 'fatal').flatMap((i) => i.expression ?? []);
}

/** The HTTP response behind a fhir-kit-client result. */
export function responseOf(result: unknown): Response {
  const response = (result as Record<string, unknown>)['__response'] as Response | undefined;
  if (!response) throw new Error('no HTTP response attached to the result');
  return response;
}

/** A unique token for identifiers and ids in one test. */
export function unique(prefix = 't'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

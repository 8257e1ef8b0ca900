import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from './config';
import { CONFIG_VARIABLES, readVariableNames } from './variables';

describe('config', () => {
  it('has working defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).to.equal(8080);
    expect(c.databaseUrl).to.equal(undefined);
    expect(c.dataDir).to.equal('./data');
    expect(c.logLevel).to.equal('info');
    expect(c.maxBodyBytes).to.be.greaterThan(1024);
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '9000',
      DATABASE_URL: 'postgres://u@h:5432/db',
      HEARTH_DATA_DIR: '/tmp/x',
      HEARTH_BASE_URL: 'https://fhir.example.org/fhir/',
      LOG_LEVEL: 'warn',
      HEARTH_MAX_BODY_BYTES: '2048',
    });
    expect(c).to.include({ port: 9000, databaseUrl: 'postgres://u@h:5432/db', dataDir: '/tmp/x', logLevel: 'warn', maxBodyBytes: 2048 });
    expect(c.baseUrl).to.equal('https://fhir.example.org/fhir');
  });

  it('reports every problem at once', () => {
    try {
      loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', HEARTH_ADMIN_CLIENT_ID: 'a' });
      expect.fail('should throw');
    } catch (e) {
      expect(e).to.be.instanceOf(ConfigError);
      const problems = (e as ConfigError).problems;
      expect(problems).to.have.length(4);
      expect(problems.join('\n')).to.match(/PORT/).and.match(/LOG_LEVEL/).and.match(/DATABASE_URL/).and.match(/HEARTH_ADMIN_CLIENT_SECRET/);
    }
  });
});

describe('config: HEARTH_WORKERS', () => {
  it('defaults to one process', () => {
    expect(loadConfig({}).workers).to.equal(1);
  });

  it('accepts several workers on PostgreSQL', () => {
    expect(loadConfig({ HEARTH_WORKERS: '4', DATABASE_URL: 'postgres://u@h/db' }).workers).to.equal(4);
  });

  it('refuses several workers on the embedded database, and values out of range', () => {
    expect(() => loadConfig({ HEARTH_WORKERS: '2' })).to.throw(ConfigError, /HEARTH_WORKERS above 1 needs DATABASE_URL/);
    for (const bad of ['0', '65', 'two', '1.5']) {
      expect(() => loadConfig({ HEARTH_WORKERS: bad, DATABASE_URL: 'postgres://u@h/db' }), bad).to.throw(ConfigError, /HEARTH_WORKERS must be an integer/);
    }
  });
});

describe('config: documentation', () => {
  const read = readVariableNames(loadConfig).sort();
  const readme = readFileSync(resolve(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
  // README table rows: | `NAME`[, `NAME`] | default | meaning |
  const rows = section
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => l.split(' | '))
    .flatMap(([names, dflt]) => [...names!.matchAll(/`([A-Z_]+)`/g)].map((m) => ({ name: m[1]!, default: dflt!.replace(/`/g, '').trim() })));

  it('observes the variables loadConfig reads', () => {
    expect(read).to.include.members(['PORT', 'DATABASE_URL', 'HEARTH_WORKERS', 'HEARTH_ADMIN_CLIENT_SECRET']);
  });

  it('lists every variable loadConfig reads in the README configuration table, and no others', () => {
    expect(rows.map((r) => r.name).sort()).to.deep.equal(read);
  });

  it('gives the same defaults in the README as --help', () => {
    expect(CONFIG_VARIABLES.map((v) => v.name).sort()).to.deep.equal(read);
    for (const v of CONFIG_VARIABLES) expect(rows.find((r) => r.name === v.name)?.default, v.name).to.equal(v.default);
  });

  it('states defaults that loadConfig really uses', () => {
    const c = loadConfig({});
    const numeric: Record<string, number> = {
      PORT: c.port,
      HEARTH_MAX_BODY_BYTES: c.maxBodyBytes,
      HEARTH_DEFAULT_PAGE_SIZE: c.defaultPageSize,
      HEARTH_MAX_PAGE_SIZE: c.maxPageSize,
      HEARTH_DB_POOL_SIZE: c.dbPoolSize,
      HEARTH_MAX_BUNDLE_ENTRIES: c.maxBundleEntries,
      HEARTH_WORKERS: c.workers,
      HEARTH_SYNC_INTERVAL_MS: c.syncIntervalMs,
      HEARTH_READ_MAX_LAG_MS: c.readMaxLagMs,
    };
    for (const [name, value] of Object.entries(numeric)) expect(CONFIG_VARIABLES.find((v) => v.name === name)?.default, name).to.equal(String(value));
    const text: Record<string, string> = { HOST: c.host, HEARTH_DATA_DIR: c.dataDir, LOG_LEVEL: c.logLevel };
    for (const [name, value] of Object.entries(text)) expect(CONFIG_VARIABLES.find((v) => v.name === name)?.default, name).to.equal(value);
  });
});

describe('config: HEARTH_SEARCH_HANDLING', () => {
  it('defaults to lenient, accepts strict, refuses anything else', () => {
    expect(loadConfig({}).searchHandling).to.equal('lenient');
    expect(loadConfig({ HEARTH_SEARCH_HANDLING: 'strict' }).searchHandling).to.equal('strict');
    expect(() => loadConfig({ HEARTH_SEARCH_HANDLING: 'loose' })).to.throw(ConfigError, /HEARTH_SEARCH_HANDLING must be one of lenient, strict/);
  });
});

describe('config: DATABASE_READ_URL and HEARTH_READ_MAX_LAG_MS', () => {
  it('takes a read replica URL beside DATABASE_URL, with a lag bound defaulting to 1000 ms', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@primary/db', DATABASE_READ_URL: 'postgresql://u@replica/db', HEARTH_READ_MAX_LAG_MS: '250' });
    expect(c.readDatabaseUrl).to.equal('postgresql://u@replica/db');
    expect(c.readMaxLagMs).to.equal(250);
    expect(loadConfig({}).readDatabaseUrl).to.equal(undefined);
    expect(loadConfig({}).readMaxLagMs).to.equal(1000);
  });

  it('refuses a replica without DATABASE_URL, a non-PostgreSQL URL and a bad lag bound', () => {
    expect(() => loadConfig({ DATABASE_READ_URL: 'postgres://u@replica/db' })).to.throw(ConfigError, /DATABASE_READ_URL needs DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@p/db', DATABASE_READ_URL: 'http://replica' })).to.throw(ConfigError, /DATABASE_READ_URL must use/);
    for (const bad of ['0', '5', 'fast', '3600001']) {
      expect(() => loadConfig({ HEARTH_READ_MAX_LAG_MS: bad }), bad).to.throw(ConfigError, /HEARTH_READ_MAX_LAG_MS must be an integer between 10 and 3600000/);
    }
  });
});

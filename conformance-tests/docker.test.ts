import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../src/config/config';
import { readVariableNames } from '../src/config/variables';
import { ensureBuilt, freshRequest, ROOT, startProcess } from './server-process';

const DOCKER = join(ROOT, 'docker');
const CONFIG_NAMES = new Set(readVariableNames(loadConfig));

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions, continuation lines joined, comments and the parser directive dropped. */
function dockerfile(): Instruction[] {
  const text = readFileSync(join(DOCKER, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [keyword, ...rest] = l.split(/\s+/);
      return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
    });
}

/** The instructions of each stage, split at FROM. */
function stages(all: Instruction[]): Instruction[][] {
  const out: Instruction[][] = [];
  for (const i of all) {
    if (i.keyword === 'FROM') out.push([]);
    out[out.length - 1]?.push(i);
  }
  return out;
}

function envOf(stage: Instruction[]): Record<string, string> {
  const pairs = stage.filter((i) => i.keyword === 'ENV').flatMap((i) => i.args.split(/\s+/));
  return Object.fromEntries(pairs.map((p) => p.split('=') as [string, string]));
}

/** The exec-form argument array of an instruction (HEALTHCHECK options before CMD are skipped). */
function execForm(args: string): string[] {
  return JSON.parse(args.slice(args.indexOf('['))) as string[];
}

/** Compose values with `${NAME:-default}` replaced by their defaults. */
function interpolate(value: string): string {
  return value.replace(/\$\{(\w+):-([^}]*)\}/g, (_m, _n, d: string) => d);
}

const compose = () => parse(readFileSync(join(DOCKER, 'docker-compose.yml'), 'utf8')) as any;

describe('docker: Dockerfile', () => {
  const all = dockerfile();
  const parts = stages(all);
  const runtime = parts[parts.length - 1]!;

  it('is multi-stage: builds with npm ci and npm run build, ships only production dependencies', () => {
    expect(parts.length).to.be.at.least(2);
    expect(parts.slice(0, -1).every((s) => /\bAS\s+\w+/i.test(s[0]!.args))).to.equal(true);
    const runs = all.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.some((r) => /npm ci\b/.test(r) && !/--omit=dev/.test(r))).to.equal(true);
    expect(runs.some((r) => /npm run build/.test(r))).to.equal(true);
    expect(runs.some((r) => /npm ci\b.*--omit=dev/.test(r))).to.equal(true);
    expect(runs.some((r) => /npm install\b/.test(r))).to.equal(false);
    const copies = runtime.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies.some((c) => /--from=\w+.*\/app\/dist/.test(c))).to.equal(true);
    expect(copies.some((c) => /\bsrc\b/.test(c))).to.equal(false);
    expect(all.find((i) => i.keyword === 'ARG' && i.args.startsWith('NODE_IMAGE='))?.args).to.match(/node:20/);
  });

  it('runs as a non-root user, with a /healthz HEALTHCHECK and CMD node dist/main.js', () => {
    const user = runtime.filter((i) => i.keyword === 'USER').pop()?.args;
    expect(user).to.be.a('string').and.not.match(/^(root|0)(:|$)/);
    const health = runtime.find((i) => i.keyword === 'HEALTHCHECK');
    expect(health?.args).to.match(/--interval=\d+s/).and.include('/healthz');
    expect(execForm(health!.args)[0]).to.equal('node');
    const cmd = runtime.filter((i) => i.keyword === 'CMD').pop();
    expect(execForm(cmd!.args)).to.deep.equal(['node', 'dist/main.js']);
  });

  it('keeps the embedded database in the /data volume, owned by that user, and sets only known variables', () => {
    const env = envOf(runtime);
    expect(env.HEARTH_DATA_DIR).to.equal('/data');
    expect(runtime.some((i) => i.keyword === 'VOLUME' && i.args.includes('/data'))).to.equal(true);
    expect(runtime.some((i) => i.keyword === 'RUN' && /chown\s+node(:node)?\s+\/data/.test(i.args))).to.equal(true);
    for (const name of Object.keys(env)) if (name !== 'NODE_ENV') expect(CONFIG_NAMES, name).to.include(name);
    expect(() => loadConfig(env)).not.to.throw();
    expect(runtime.some((i) => i.keyword === 'EXPOSE' && i.args.split(/\s+/).includes(env.PORT!))).to.equal(true);
  });

  it('has a Dockerfile.dockerignore that keeps local state out of the build context', () => {
    const ignored = readFileSync(join(ROOT, 'docker', 'Dockerfile.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignored).to.include.members(['node_modules', 'dist', 'data', '.git']);
  });

  it('needs at run time only packages listed under dependencies', () => {
    ensureBuilt();
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    // Walks the require graph from dist/main.js: the modules the image actually loads.
    const seen = new Set<string>();
    const packages = new Set<string>();
    const queue = [join(ROOT, 'dist', 'main.js')];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) {
          const base = resolve(dirname(file), spec);
          queue.push(existsSync(`${base}.js`) ? `${base}.js` : join(base, 'index.js'));
        } else if (!builtinModules.includes(spec.replace(/^node:/, '').split('/')[0]!)) {
          packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        }
      }
    }
    expect(seen.size).to.be.greaterThan(20);
    expect([...packages]).to.include.members(['koa', 'pg']);
    expect([...packages].filter((w) => !(w in pkg.dependencies))).to.deep.equal([]);
  });
});

describe('docker: docker-compose.yml and nginx.conf', () => {
  const doc = compose();
  const services = doc.services as Record<string, any>;

  it('has nginx, hearth (3 replicas), PostgreSQL 15 and Redis, each with a healthcheck', () => {
    expect(services).to.have.all.keys('nginx', 'hearth', 'postgres', 'redis');
    expect(services.hearth.deploy.replicas).to.equal(3);
    expect(services.postgres.image).to.match(/^postgres:15\b/);
    expect(services.redis.image).to.match(/^redis:/);
    for (const [name, s] of Object.entries(services)) expect(s.healthcheck?.test, name).to.be.an('array').that.is.not.empty;
    expect(services.hearth.healthcheck.test.join(' ')).to.match(/\/(healthz|readyz)/);
  });

  it('builds hearth from docker/Dockerfile and exposes it only to nginx', () => {
    const build = services.hearth.build;
    expect(existsSync(join(DOCKER, build.context, build.dockerfile))).to.equal(true);
    expect(existsSync(join(DOCKER, build.context, 'package.json'))).to.equal(true);
    expect(services.hearth.ports).to.equal(undefined);
    expect(services.hearth.container_name).to.equal(undefined);
    expect(services.nginx.ports).to.be.an('array').that.is.not.empty;
    expect(services.nginx.depends_on.hearth.condition).to.equal('service_healthy');
    expect(services.hearth.depends_on.postgres.condition).to.equal('service_healthy');
    const mount = (services.nginx.volumes as string[]).find((v) => v.includes('nginx.conf'))!;
    expect(existsSync(join(DOCKER, mount.split(':')[0]!))).to.equal(true);
  });

  it('configures hearth with variables loadConfig reads, pointing DATABASE_URL at the postgres service', () => {
    const env = Object.fromEntries(Object.entries(services.hearth.environment as Record<string, string>).map(([k, v]) => [k, interpolate(String(v))]));
    for (const name of Object.keys(env)) expect(CONFIG_NAMES, name).to.include(name);
    const config = loadConfig(env);
    const db = new URL(config.databaseUrl!);
    const pg = services.postgres.environment;
    expect(db.hostname).to.equal('postgres');
    expect(db.username).to.equal(pg.POSTGRES_USER);
    expect(db.pathname).to.equal(`/${pg.POSTGRES_DB}`);
    expect(decodeURIComponent(db.password)).to.equal(interpolate(pg.POSTGRES_PASSWORD));
  });

  it('keeps PostgreSQL data in a named volume, and declares every named volume it mounts', () => {
    const declared = Object.keys(doc.volumes ?? {});
    const pgMount = (services.postgres.volumes as string[]).find((v) => v.endsWith(':/var/lib/postgresql/data'));
    expect(declared).to.include(pgMount!.split(':')[0]);
    for (const s of Object.values(services)) {
      for (const v of (s.volumes ?? []) as string[]) {
        const source = v.split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/')) expect(declared).to.include(source);
      }
    }
  });

  it('proxies /fhir and /docs publicly to the hearth service, and health and metrics only on the internal server', () => {
    const conf = readFileSync(join(DOCKER, 'nginx.conf'), 'utf8').replace(/#.*$/gm, '');
    const port = loadConfig({}).port;
    expect(conf).to.match(new RegExp(`upstream hearth \\{[^}]*server hearth:${port}\\b`));
    const servers = conf.split(/\bserver \{/).slice(1);
    expect(servers).to.have.length(2);
    const published = String(services.nginx.ports[0]).split(':').pop();
    const [pub, internal] = servers[0]!.includes(`listen ${published};`) ? [servers[0]!, servers[1]!] : [servers[1]!, servers[0]!];
    expect(pub).to.match(/location \/fhir \{\s*proxy_pass http:\/\/hearth;/).and.match(/location = \/docs \{\s*proxy_pass http:\/\/hearth;/);
    expect(pub).not.to.match(/\/(healthz|readyz|metrics)/);
    for (const p of ['healthz', 'readyz', 'metrics']) expect(internal).to.match(new RegExp(`location = /${p}\\s*\\{\\s*proxy_pass http://hearth;`));
    expect(pub).to.match(/client_max_body_size 16m;/);
    expect(loadConfig({}).maxBodyBytes).to.equal(16 * 1024 * 1024);
  });
});

describe('docker: the image start-up path (node dist/main.js with the image environment)', () => {
  const runtime = stages(dockerfile()).pop()!;
  const imageEnv = envOf(runtime);
  let dataDir = '';
  before(() => {
    ensureBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'hearth-image-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  // The image's environment, with the volume at a temporary directory and a free port.
  const env = () => ({ ...imageEnv, HEARTH_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' });

  it('starts, answers /healthz, /readyz, /fhir/metadata and the HEALTHCHECK, and stops on SIGTERM with exit code 0', async () => {
    const server = startProcess(env());
    try {
      const url = await server.listening();
      const origin = new URL(url).origin;
      expect((await freshRequest('GET', `${origin}/healthz`)).status).to.equal(200);
      expect((await freshRequest('GET', `${origin}/readyz`)).status).to.equal(200);
      const metadata = await freshRequest('GET', `${url}/metadata`);
      expect(metadata.status).to.equal(200);
      expect(JSON.parse(metadata.text).resourceType).to.equal('CapabilityStatement');
      const created = await freshRequest('POST', `${url}/Patient`, { resourceType: 'Patient', name: [{ family: 'Volume' }] });
      expect(created.status).to.equal(201);
      const check = execForm(runtime.find((i) => i.keyword === 'HEALTHCHECK')!.args);
      const probe = spawnSync(process.execPath, check.slice(1), { env: { ...env(), PORT: new URL(url).port }, timeout: 10_000 });
      expect(probe.status, String(probe.stderr)).to.equal(0);
      const id = JSON.parse(created.text).id as string;
      const { code } = await server.stop();
      expect(code, server.stderr()).to.equal(0);
      expect(server.logs.map((l) => l.msg)).to.include.members(['shutting down', 'stopped']);
      // The data outlives the process: a new one on the same directory reads the Patient back.
      const again = startProcess(env());
      try {
        const url2 = await again.listening();
        expect((await freshRequest('GET', `${url2}/Patient/${id}`)).status).to.equal(200);
      } finally {
        expect((await again.stop()).code).to.equal(0);
      }
    } finally {
      await server.stop();
    }
  });

  it('fails a HEALTHCHECK when nothing listens', () => {
    const check = execForm(runtime.find((i) => i.keyword === 'HEALTHCHECK')!.args);
    const probe = spawnSync(process.execPath, check.slice(1), { env: { PORT: '9' }, timeout: 10_000 });
    expect(probe.status).to.equal(1);
  });

  it('refuses a bad configuration with exit code 2 and a message naming the problem', async () => {
    const server = startProcess({ HEARTH_WORKERS: '2', HEARTH_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' });
    const timeout = setTimeout(() => server.child.kill('SIGKILL'), 30_000);
    const { code } = await server.exited;
    clearTimeout(timeout);
    expect(code, server.stderr()).to.equal(2);
    expect(server.stderr()).to.match(/HEARTH_WORKERS .*DATABASE_URL/);
  });
});

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { STATEMENT_FILE } from '../scripts/capability-statement';
import { loadConfig } from '../src/config/config';
import { readVariableNames } from '../src/config/variables';
import { ensureBuilt, ROOT } from './server-process';

/** Every command-line entry point answers --help with a usage text and exit code 0, doing nothing else. */

function help(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const script = (name: string) => ['--require', 'tsx/cjs', join('scripts', name), '--help'];

describe('command-line --help', () => {
  it('covers every script in scripts/', () => {
    const scripts = readdirSync(join(ROOT, 'scripts')).filter((f) => f.endsWith('.ts'));
    expect(scripts.sort()).to.deep.equal(['bench.ts', 'capability-statement.ts', 'import.ts']);
  });

  for (const name of ['import.ts', 'bench.ts', 'capability-statement.ts']) {
    it(`scripts/${name} --help`, () => {
      const before = statSync(STATEMENT_FILE).mtimeMs;
      const r = help(script(name));
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^Usage: npm run /);
      expect(statSync(STATEMENT_FILE).mtimeMs).to.equal(before);
    });
  }

  it('node dist/main.js --help lists every configuration variable', () => {
    ensureBuilt();
    const r = help(['dist/main.js', '--help']);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^Usage: node dist\/main\.js/);
    for (const name of readVariableNames(loadConfig)) expect(r.stdout).to.include(name);
  });
});

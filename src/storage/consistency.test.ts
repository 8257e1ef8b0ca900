import { expect } from 'chai';
import { currentScope, formatLsn, noteWrite, openScope, parseLsn, runInScope } from './consistency';

describe('consistency tokens and scopes', () => {
  it('reads and prints pg_lsn positions, ordered as PostgreSQL orders them', () => {
    expect(parseLsn('0/3000028')).to.equal(0x3000028n);
    expect(parseLsn('1/0')).to.equal(1n << 32n);
    expect(parseLsn('1/0')! > parseLsn('0/FFFFFFFF')!).to.equal(true);
    expect(parseLsn('a/b')).to.equal(parseLsn('A/B'));
    for (const text of ['0/3000028', '1/0', 'FFFFFFFF/FFFFFFFF', '16/B374D848']) expect(formatLsn(parseLsn(text)!)).to.equal(text);
    for (const bad of ['', '0', '0/', '/1', 'x/1', '1/2/3', '123456789/0', ' 0/1']) expect(parseLsn(bad), bad).to.equal(undefined);
  });

  it('opens a scope from a token: none, a position, or the primary for a malformed one', () => {
    expect(openScope(undefined)).to.deep.equal({ wrote: false });
    expect(openScope('  ')).to.deep.equal({ wrote: false });
    expect(openScope('0/10')).to.deep.equal({ required: 16n, wrote: false });
    expect(openScope('garbage')).to.deep.equal({ required: 'primary', wrote: false });
  });

  it('carries the scope through awaits, and records writes in it only', async () => {
    noteWrite();
    expect(currentScope()).to.equal(undefined);
    const scope = openScope(undefined);
    const seen = await runInScope(scope, async () => {
      await new Promise((r) => setTimeout(r, 1));
      noteWrite();
      return currentScope();
    });
    expect(seen).to.equal(scope);
    expect(scope.wrote).to.equal(true);
    const other = openScope(undefined);
    await Promise.all([runInScope(other, async () => {}), runInScope(openScope(undefined), async () => noteWrite())]);
    expect(other.wrote).to.equal(false);
  });
});

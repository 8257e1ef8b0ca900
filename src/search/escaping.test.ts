import { expect } from 'chai';
import { orValues, parseToken, splitUnescaped, unescape } from './escaping';

describe('search value escaping', () => {
  it('splits OR lists on unescaped commas only', () => {
    expect(orValues('a,b\\,c,d')).to.deep.equal(['a', 'b\\,c', 'd']);
    expect(orValues('a,b\\,c,d').map(unescape)).to.deep.equal(['a', 'b,c', 'd']);
  });

  it('keeps escaped backslashes', () => {
    expect(splitUnescaped('a\\\\|b', '|')).to.deep.equal(['a\\\\', 'b']);
    expect(unescape('a\\\\')).to.equal('a\\');
  });

  it('parses the four token forms', () => {
    expect(parseToken('123')).to.deep.equal({ system: undefined, code: '123' });
    expect(parseToken('http://s|123')).to.deep.equal({ system: 'http://s', code: '123' });
    expect(parseToken('|123')).to.deep.equal({ system: null, code: '123' });
    expect(parseToken('http://s|')).to.deep.equal({ system: 'http://s', code: undefined });
    expect(parseToken('urn:a\\|b|c')).to.deep.equal({ system: 'urn:a|b', code: 'c' });
  });
});

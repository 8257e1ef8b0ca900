import { expect } from 'chai';
import { dateRange, instantText } from './dates';
import { decimalRange } from './decimal';
import { foldText, indexedText, MAX_INDEXED_LENGTH, normalizeText, phoneticKey } from './text';

function range(value: string): [string, string] | undefined {
  const r = dateRange(value);
  return r && [instantText(r.low), instantText(r.high)];
}

describe('date ranges', () => {
  it('cover partial dates at their precision', () => {
    expect(range('2020')).to.deep.equal(['2020-01-01T00:00:00.000Z', '2020-12-31T23:59:59.999Z']);
    expect(range('2020-02')).to.deep.equal(['2020-02-01T00:00:00.000Z', '2020-02-29T23:59:59.999Z']);
    expect(range('2021-02')).to.deep.equal(['2021-02-01T00:00:00.000Z', '2021-02-28T23:59:59.999Z']);
    expect(range('2020-12-31')).to.deep.equal(['2020-12-31T00:00:00.000Z', '2020-12-31T23:59:59.999Z']);
    expect(range('0050-06')).to.deep.equal(['0050-06-01T00:00:00.000Z', '0050-06-30T23:59:59.999Z']);
  });

  it('convert times to UTC and cover minutes, seconds and fractions', () => {
    expect(range('2020-02-03T10:00+02:00')).to.deep.equal(['2020-02-03T08:00:00.000Z', '2020-02-03T08:00:59.999Z']);
    expect(range('2020-02-03T10:00:05-05:30')).to.deep.equal(['2020-02-03T15:30:05.000Z', '2020-02-03T15:30:05.999Z']);
    expect(range('2020-02-03T10:00:05Z')).to.deep.equal(['2020-02-03T10:00:05.000Z', '2020-02-03T10:00:05.999Z']);
    expect(range('2020-02-03T10:00:05.5Z')).to.deep.equal(['2020-02-03T10:00:05.500Z', '2020-02-03T10:00:05.599Z']);
    expect(range('2020-02-03T10:00:05.25Z')).to.deep.equal(['2020-02-03T10:00:05.250Z', '2020-02-03T10:00:05.259Z']);
    expect(range('2020-02-03T10:00:05.123456Z')).to.deep.equal(['2020-02-03T10:00:05.123Z', '2020-02-03T10:00:05.123Z']);
    expect(range('2020-02-03T23:30:00-01:00')).to.deep.equal(['2020-02-04T00:30:00.000Z', '2020-02-04T00:30:00.999Z']);
  });

  it('reject what is not a date', () => {
    for (const bad of ['', '20', '2020-13', '2020-02-30', '2020-01-01T25:00:00Z', 'daily', '2020-1-1']) {
      expect(dateRange(bad), bad).to.equal(undefined);
    }
  });
});

describe('decimal ranges', () => {
  it('span half a unit of the last digit', () => {
    expect(decimalRange(100)).to.deep.equal({ value: '100', low: '99.5', high: '100.5' });
    expect(decimalRange(1.5)).to.deep.equal({ value: '1.5', low: '1.45', high: '1.55' });
    expect(decimalRange('1.50')).to.deep.equal({ value: '1.50', low: '1.495', high: '1.505' });
    expect(decimalRange(0)).to.deep.equal({ value: '0', low: '-0.5', high: '0.5' });
    expect(decimalRange(-2.25)).to.deep.equal({ value: '-2.25', low: '-2.255', high: '-2.245' });
    expect(decimalRange(0.001)).to.deep.equal({ value: '0.001', low: '0.0005', high: '0.0015' });
  });

  it('count significant digits of exponent forms', () => {
    expect(decimalRange('1e2')).to.deep.equal({ value: '100', low: '50', high: '150' });
    expect(decimalRange(1.5e-7)).to.deep.equal({ value: '0.00000015', low: '0.000000145', high: '0.000000155' });
    expect(decimalRange(1e21)).to.deep.equal({ value: '1000000000000000000000', low: '500000000000000000000', high: '1500000000000000000000' });
  });

  it('reject what is not a finite number', () => {
    for (const bad of [NaN, Infinity, 'abc', '', null, undefined, {}, true]) expect(decimalRange(bad), String(bad)).to.equal(undefined);
  });
});

describe('text normalization', () => {
  it('folds case and accents', () => {
    expect(foldText('Érèñøç ÅNGSTRÖM')).to.equal('erenøc angstrom');
    expect(foldText('İstanbul')).to.equal('istanbul');
    expect(normalizeText('Zoë')).to.equal('zoe');
    expect(normalizeText('zoe\u0308')).to.equal('zoe');
  });

  it('cuts long values without splitting surrogate pairs', () => {
    const long = 'a'.repeat(MAX_INDEXED_LENGTH - 1) + '😀tail';
    expect(indexedText(long)).to.equal('a'.repeat(MAX_INDEXED_LENGTH - 1));
    expect(indexedText('a'.repeat(MAX_INDEXED_LENGTH + 5))).to.have.length(MAX_INDEXED_LENGTH);
    expect(normalizeText('X'.repeat(1000))).to.equal('x'.repeat(MAX_INDEXED_LENGTH));
  });

  it('gives Soundex phonetic keys', () => {
    expect(phoneticKey('Smith')).to.equal('s530');
    expect(phoneticKey('Smyth')).to.equal('s530');
    expect(phoneticKey('Robert')).to.equal('r163');
    expect(phoneticKey('Rupert')).to.equal('r163');
    expect(phoneticKey('Ashcraft')).to.equal('a261');
    expect(phoneticKey('Tymczak')).to.equal('t522');
    expect(phoneticKey('Pfister')).to.equal('p236');
    expect(phoneticKey('Müller')).to.equal(phoneticKey('Muller'));
    expect(phoneticKey('张无忌')).to.equal('');
  });
});

import { expect } from 'chai';
import { parseInt8, parseTimestamptz } from './type-parsers';

describe('type parsers', () => {
  it('turns timestamptz text into an ISO instant with milliseconds', () => {
    expect(parseTimestamptz('2026-01-02 03:04:05.678+00')).to.equal('2026-01-02T03:04:05.678Z');
    expect(parseTimestamptz('2026-01-02 03:04:05+00')).to.equal('2026-01-02T03:04:05.000Z');
    expect(parseTimestamptz('2026-01-02 03:04:05.6+00')).to.equal('2026-01-02T03:04:05.600Z');
    expect(parseTimestamptz('2026-01-02 03:04:05.678999+00')).to.equal('2026-01-02T03:04:05.678Z');
  });

  it('applies time zone offsets', () => {
    expect(parseTimestamptz('2026-01-02 03:04:05.678+01')).to.equal('2026-01-02T02:04:05.678Z');
    expect(parseTimestamptz('2026-01-02 03:04:05.678-05:30')).to.equal('2026-01-02T08:34:05.678Z');
    expect(parseTimestamptz('1900-01-01 00:00:00+00:09:21')).to.equal('1899-12-31T23:50:39.000Z');
  });

  it('keeps years below 100 and leaves unreadable values alone', () => {
    expect(parseTimestamptz('0050-03-01 00:00:00+00')).to.equal('0050-03-01T00:00:00.000Z');
    expect(parseTimestamptz('infinity')).to.equal('infinity');
    expect(parseTimestamptz('0044-03-15 12:00:00+00 BC')).to.equal('0044-03-15 12:00:00+00 BC');
  });

  it('reads int8 as a number', () => {
    expect(parseInt8('9007199254740991')).to.equal(9007199254740991);
  });
});

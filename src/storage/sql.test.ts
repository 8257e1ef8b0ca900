import { expect } from 'chai';
import { empty, ident, join, prepared, raw, Sql, sql } from './sql';

describe('sql builder', () => {
  it('binds every value as a numbered parameter', () => {
    const q = sql`SELECT * FROM resources WHERE id = ${'x'} AND version_id > ${3}`;
    expect(q.text).to.equal('SELECT * FROM resources WHERE id = $1 AND version_id > $2');
    expect(q.values).to.deep.equal(['x', 3]);
  });

  it('never puts a value into the text, even one that looks like SQL', () => {
    const evil = "x'; DROP TABLE resources; --";
    const q = sql`SELECT 1 WHERE id = ${evil}`;
    expect(q.text).to.equal('SELECT 1 WHERE id = $1');
    expect(q.values).to.deep.equal([evil]);
  });

  it('inlines nested fragments and renumbers their parameters', () => {
    const inner = sql`a = ${1} AND b = ${2}`;
    const q = sql`SELECT ${'first'} WHERE ${inner} AND c = ${3} OR (${inner})`;
    expect(q.text).to.equal('SELECT $1 WHERE a = $2 AND b = $3 AND c = $4 OR (a = $5 AND b = $6)');
    expect(q.values).to.deep.equal(['first', 1, 2, 3, 1, 2]);
  });

  it('handles deep nesting and fragments at the edges', () => {
    const q = sql`${sql`${sql`${1}`}`}`;
    expect(q.text).to.equal('$1');
    expect(q.values).to.deep.equal([1]);
  });

  it('binds undefined as null and arrays as one parameter', () => {
    const q = sql`f(${undefined}, ${[1, 2]})`;
    expect(q.text).to.equal('f($1, $2)');
    expect(q.values).to.deep.equal([null, [1, 2]]);
  });

  it('joins fragments with a separator', () => {
    const q = join([sql`a = ${1}`, sql`b = ${2}`, raw('c IS NULL')], ' AND ');
    expect(q.text).to.equal('a = $1 AND b = $2 AND c IS NULL');
    expect(q.values).to.deep.equal([1, 2]);
    const list = join([1, 2, 3].map((v) => sql`${v}`));
    expect(sql`x IN (${list})`.text).to.equal('x IN ($1, $2, $3)');
    expect(join([sql`${1}`, sql`${2}`], sql` || ${'-'} || `).text).to.equal('$1 || $2 || $3');
  });

  it('joins nothing into the empty fragment', () => {
    expect(join([], ', ').text).to.equal('');
    expect(join([], ', ').isEmpty).to.equal(true);
  });

  it('has raw text, quoted identifiers and an empty fragment', () => {
    expect(raw('ORDER BY id').text).to.equal('ORDER BY id');
    expect(raw('ORDER BY id').values).to.deep.equal([]);
    expect(ident('we"ird').text).to.equal('"we""ird"');
    expect(empty.text).to.equal('');
    expect(empty.isEmpty).to.equal(true);
    expect(sql`x = ${1}`.isEmpty).to.equal(false);
    expect(sql`SELECT 1 ${empty}WHERE true`.text).to.equal('SELECT 1 WHERE true');
  });

  it('does not let callers change its values', () => {
    const q = sql`${1}`;
    q.values.push(2);
    expect(q.values).to.deep.equal([1]);
    expect(q).to.be.instanceOf(Sql);
  });

  it('flags statements for preparation without changing them', () => {
    const q = sql`SELECT ${1}`;
    const p = prepared(q);
    expect(q.prepare).to.equal(false);
    expect(p.prepare).to.equal(true);
    expect(p.text).to.equal(q.text);
    expect(p.values).to.deep.equal(q.values);
    expect(sql`${p}`.prepare).to.equal(false);
  });
});

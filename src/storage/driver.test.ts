import { expect } from 'chai';
import { sql } from './sql';
import { forEachDatabase } from './test-databases';

forEachDatabase('SqlDriver', (db) => {
  before(async () => {
    await db.driver().exec('CREATE TABLE driver_test (k text PRIMARY KEY, v integer NOT NULL); CREATE TABLE driver_test2 (x int)');
  });

  it('returns values of the same types on both databases', async () => {
    const [row] = await db.driver().query<Record<string, unknown>>(sql`
      SELECT ${'2026-01-02T03:04:05.678Z'}::timestamptz AS ts, 42::int8 AS big, 7::int4 AS small,
             1.50::numeric AS num, '{"a":[1,"b"]}'::jsonb AS doc, true AS flag, 'x'::text AS s,
             NULL::text AS nothing, (SELECT count(*) FROM driver_test) AS cnt`);
    expect(row).to.deep.equal({
      ts: '2026-01-02T03:04:05.678Z',
      big: 42,
      small: 7,
      num: '1.50',
      doc: { a: [1, 'b'] },
      flag: true,
      s: 'x',
      nothing: null,
      cnt: 0,
    });
  });

  it('reads timestamptz as UTC instants whatever the session time zone', async () => {
    const rows = await db.driver().transaction(async (tx) => {
      await tx.exec("SET LOCAL TIME ZONE 'Asia/Kolkata'");
      return tx.query<{ ts: string }>(sql`SELECT ${'2026-06-30T23:59:59.999Z'}::timestamptz AS ts`);
    });
    expect(rows[0]!.ts).to.equal('2026-06-30T23:59:59.999Z');
  });

  it('commits a transaction and returns its result', async () => {
    const result = await db.driver().transaction(async (tx) => {
      await tx.query(sql`INSERT INTO driver_test (k, v) VALUES (${'commit'}, ${1})`);
      return 'done';
    });
    expect(result).to.equal('done');
    expect(await db.driver().query(sql`SELECT v FROM driver_test WHERE k = ${'commit'}`)).to.deep.equal([{ v: 1 }]);
  });

  it('rolls back everything when the function throws', async () => {
    const failing = db.driver().transaction(async (tx) => {
      await tx.query(sql`INSERT INTO driver_test (k, v) VALUES (${'rollback'}, ${1})`);
      await tx.transaction(async (inner) => {
        expect(inner).to.equal(tx);
        await inner.query(sql`INSERT INTO driver_test (k, v) VALUES (${'rollback-inner'}, ${2})`);
      });
      throw new Error('boom');
    });
    await expectRejection(failing, 'boom');
    const rows = await db.driver().query(sql`SELECT k FROM driver_test WHERE k LIKE ${'rollback%'}`);
    expect(rows).to.deep.equal([]);
  });

  it('refuses a transaction handle used after the transaction ended', async () => {
    const tx = await db.driver().transaction(async (t) => t);
    await expectRejection(tx.query(sql`SELECT 1`), 'after the transaction ended');
  });

  it('rolls back after a database error and stays usable', async () => {
    await expectRejection(
      db.driver().transaction(async (tx) => {
        await tx.query(sql`INSERT INTO driver_test (k, v) VALUES (${'dup'}, ${1})`);
        await tx.query(sql`INSERT INTO driver_test (k, v) VALUES (${'dup'}, ${2})`);
      }),
      'duplicate key',
    );
    expect(await db.driver().query(sql`SELECT k FROM driver_test WHERE k = ${'dup'}`)).to.deep.equal([]);
  });

  it('makes concurrent callers wait for an open transaction', async () => {
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const long = db.driver().transaction(async (tx) => {
      await tx.query(sql`INSERT INTO driver_test (k, v) VALUES (${'serial'}, ${1})`);
      events.push('tx wrote');
      await gate;
      await tx.query(sql`UPDATE driver_test SET v = 2 WHERE k = ${'serial'}`);
      events.push('tx committing');
    });
    await new Promise((r) => setTimeout(r, 20));
    const reader = db.driver().query<{ v: number }>(sql`SELECT v FROM driver_test WHERE k = ${'serial'}`);
    setTimeout(release, 20);
    await long;
    const rows = await reader;
    // PGlite serializes, so the reader sees the committed row; PostgreSQL's reader runs on
    // another connection and sees either nothing (before commit) or the committed value.
    if (db.driver().kind === 'pglite') expect(rows).to.deep.equal([{ v: 2 }]);
    else expect(rows.length === 0 || rows[0]!.v === 2).to.equal(true);
    expect(events).to.deep.equal(['tx wrote', 'tx committing']);
  });
});

async function expectRejection(p: Promise<unknown>, message: string): Promise<void> {
  try {
    await p;
  } catch (err) {
    expect((err as Error).message).to.contain(message);
    return;
  }
  expect.fail(`expected a rejection containing "${message}"`);
}

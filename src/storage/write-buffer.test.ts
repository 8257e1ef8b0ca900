import { expect } from 'chai';
import { FhirError } from '../core/errors';
import { sql } from './sql';
import { forEachDatabase } from './test-databases';
import { WriteBuffer, type PendingWrite } from './write-buffer';

const now = () => new Date().toISOString();

function pending(id: string, versionId: number, previous: number | null, family: string | null): PendingWrite {
  const content = family === null ? null : { resourceType: 'Patient', id, meta: { versionId: String(versionId) }, name: [{ family }] };
  return {
    resourceType: 'Patient',
    id,
    versionId,
    lastUpdated: now(),
    deleted: content === null,
    json: content === null ? null : JSON.stringify(content),
    previous,
    index: content === null ? {} : { idx_string: [['family', family!.toLowerCase(), family]] },
  };
}

forEachDatabase('WriteBuffer', (db) => {
  const count = async (q: ReturnType<typeof sql>) => Number((await db.driver().query<{ n: number }>(q))[0]!.n);

  it('writes creates, updates and deletions of a transaction in a few statements, with history and index rows', async () => {
    await db.driver().transaction(async (tx) => {
      const buffer = new WriteBuffer(tx);
      await buffer.prefetch([{ type: 'Patient', id: 'wb-1' }, { type: 'Patient', id: 'wb-2' }]);
      expect(buffer.knows('Patient', 'wb-1')).to.equal(null);
      await buffer.add(pending('wb-1', 1, null, 'Alpha'));
      await buffer.add(pending('wb-2', 1, null, 'Beta'));
      await buffer.flush();
    });
    await db.driver().transaction(async (tx) => {
      const buffer = new WriteBuffer(tx);
      await buffer.prefetch([{ type: 'Patient', id: 'wb-1' }, { type: 'Patient', id: 'wb-2' }]);
      expect(buffer.knows('Patient', 'wb-1')).to.include({ version_id: 1, deleted: false });
      await buffer.add(pending('wb-1', 2, 1, 'Gamma'));
      await buffer.add(pending('wb-2', 2, 1, null));
      await buffer.flush();
    });
    expect(await count(sql`SELECT count(*)::int AS n FROM resource_history WHERE id IN ('wb-1', 'wb-2')`)).to.equal(4);
    const rows = await db.driver().query<{ id: string; version_id: number; deleted: boolean }>(
      sql`SELECT id, version_id, deleted FROM resources WHERE id IN ('wb-1', 'wb-2') ORDER BY id`,
    );
    expect(rows).to.deep.equal([
      { id: 'wb-1', version_id: 2, deleted: false },
      { id: 'wb-2', version_id: 2, deleted: true },
    ]);
    const index = await db.driver().query<{ id: string; value: string }>(sql`SELECT id, value FROM idx_string WHERE id IN ('wb-1', 'wb-2') ORDER BY id`);
    expect(index).to.deep.equal([{ id: 'wb-1', value: 'gamma' }]);
  });

  it('flushes by itself when the buffer is full', async () => {
    await db.driver().transaction(async (tx) => {
      const buffer = new WriteBuffer(tx, 2);
      for (const id of ['wb-f1', 'wb-f2', 'wb-f3']) {
        buffer.assumeAbsent('Patient', id);
        await buffer.add(pending(id, 1, null, 'F'));
      }
      const inside = await tx.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM resources WHERE id LIKE 'wb-f%'`);
      expect(inside[0]!.n).to.equal(2);
      await buffer.flush();
    });
    expect(await count(sql`SELECT count(*)::int AS n FROM resources WHERE id LIKE 'wb-f%'`)).to.equal(3);
  });

  it('refuses, writing nothing, when an id assumed absent exists after all', async () => {
    await db.driver().transaction(async (tx) => {
      const buffer = new WriteBuffer(tx);
      buffer.assumeAbsent('Patient', 'wb-c');
      await buffer.add(pending('wb-c', 1, null, 'First'));
      await buffer.flush();
    });
    let failure: unknown;
    await db
      .driver()
      .transaction(async (tx) => {
        const buffer = new WriteBuffer(tx);
        buffer.assumeAbsent('Patient', 'wb-c');
        await buffer.add(pending('wb-c', 1, null, 'Second'));
        await buffer.flush();
      })
      .catch((e: unknown) => (failure = e));
    // PostgreSQL retries the transaction as a serialization failure first; both end in a 409.
    expect(failure).to.be.instanceOf(FhirError).and.have.property('status', 409);
    const [row] = await db.driver().query<{ family: string }>(sql`SELECT content->'name'->0->>'family' AS family FROM resources WHERE id = 'wb-c'`);
    expect(row!.family).to.equal('First');
  });
});

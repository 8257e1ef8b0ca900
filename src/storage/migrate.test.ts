import { expect } from 'chai';
import { migrate } from './migrate';
import { migrations, type Migration } from './migrations/index';
import { sql } from './sql';
import { forEachDatabase } from './test-databases';

forEachDatabase('migrate', (db) => {
  const versions = async () =>
    (await db.driver().query<{ version: number }>(sql`SELECT version FROM schema_migrations ORDER BY version`)).map((r) => r.version);

  it('has applied every migration and recorded it', async () => {
    expect(await versions()).to.deep.equal(migrations.map((m) => m.version));
    const columns = await db.driver().query<{ table_name: string; column_name: string }>(sql`
      SELECT table_name, column_name FROM information_schema.columns
      WHERE table_name IN ('resources', 'resource_history') ORDER BY table_name, ordinal_position`);
    expect(columns.map((c) => `${c.table_name}.${c.column_name}`)).to.deep.equal([
      'resource_history.seq', 'resource_history.resource_type', 'resource_history.id', 'resource_history.version_id',
      'resource_history.last_updated', 'resource_history.deleted', 'resource_history.content',
      'resources.resource_type', 'resources.id', 'resources.version_id', 'resources.last_updated',
      'resources.deleted', 'resources.content',
    ]);
  });

  it('does nothing when run again', async () => {
    expect(await migrate(db.driver())).to.deep.equal([]);
    expect(await migrate(db.driver())).to.deep.equal([]);
    expect(await versions()).to.deep.equal(migrations.map((m) => m.version));
  });

  it('applies a new migration exactly once under concurrent starts', async () => {
    const list: Migration[] = [...migrations, { version: 1001, name: 'test-a', up: 'CREATE TABLE migrate_test_a (x int)' }];
    const results = await Promise.all([migrate(db.driver(), undefined, list), migrate(db.driver(), undefined, list), migrate(db.driver(), undefined, list)]);
    expect(results.flat()).to.deep.equal([1001]);
    expect(await db.driver().query(sql`SELECT count(*) AS n FROM migrate_test_a`)).to.deep.equal([{ n: 0 }]);
  });

  it('commits each migration on its own and rolls back a failing one', async () => {
    const list: Migration[] = [
      ...migrations,
      { version: 1002, name: 'test-b', up: 'CREATE TABLE migrate_test_b (x int)' },
      { version: 1003, name: 'test-c', up: 'CREATE TABLE migrate_test_c (x int); SELECT no_such_function()' },
    ];
    const err = await migrate(db.driver(), undefined, list).then(() => undefined, (e: unknown) => e);
    expect((err as Error).message).to.contain('no_such_function');
    expect(await versions()).to.include(1002).and.not.include(1003);
    const tables = await db.driver().query<{ table_name: string }>(sql`
      SELECT table_name FROM information_schema.tables WHERE table_name LIKE ${'migrate_test_%'} ORDER BY table_name`);
    expect(tables.map((t) => t.table_name)).to.deep.equal(['migrate_test_a', 'migrate_test_b']);
  });

  it('refuses migrations out of order', async () => {
    const list: Migration[] = [{ version: 2, name: 'x', up: '' }, { version: 1, name: 'y', up: '' }];
    const err = await migrate(db.driver(), undefined, list).then(() => undefined, (e: unknown) => e);
    expect((err as Error).message).to.contain('strictly increasing');
  });
});

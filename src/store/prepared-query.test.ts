import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NoResultError, sql } from 'kysely';
import { describeOnEachDatabase } from '../../test/support/stores.ts';
import { prepareQuery, PreparedQueryError } from './prepared-query.ts';

// Module-level, as in the store: the same objects serve the SQLite and the
// PostgreSQL suite below, which need different SQL ("?" against "$1").
const settingsFrom = prepareQuery((db, p: { prefix: string; limit: number }) =>
  db
    .selectFrom('settings')
    .select(['key', 'value'])
    .where(sql<string>`substr(key, 1, length(${p.prefix}))`, '=', p.prefix)
    .orderBy('key')
    .limit(p.limit),
);
const putSetting = prepareQuery((db, p: { key: string; value: string; at: number }) =>
  db
    .insertInto('settings')
    .values({ key: p.key, value: p.value, updated_at: p.at })
    .onConflict((conflict) =>
      conflict.column('key').doUpdateSet({ value: sql<string>`${p.value} || '!'`, updated_at: p.at }),
    ),
);
const touchSettings = prepareQuery((db, p: { prefix: string; at: number }) =>
  db
    .updateTable('settings')
    .set({ updated_at: p.at })
    .where(sql<string>`substr(key, 1, length(${p.prefix}))`, '=', p.prefix),
);

describeOnEachDatabase('prepared queries', (context) => {
  test('a prepared query answers as the built one would, for every set of values', async () => {
    const db = context.store.db;
    for (const key of ['pq.a.1', 'pq.a.2', 'pq.a.3', 'pq.b.1']) {
      await putSetting.run(db, { key, value: `"${key}"`, at: 1 });
    }
    for (const [prefix, limit] of [
      ['pq.a.', 10],
      ['pq.a.', 2],
      ['pq.b.', 10],
      ['pq.none.', 10],
    ] as const) {
      const built = await db
        .selectFrom('settings')
        .select(['key', 'value'])
        .where(sql<string>`substr(key, 1, length(${prefix}))`, '=', prefix)
        .orderBy('key')
        .limit(limit)
        .execute();
      assert.deepEqual(await settingsFrom.rows(db, { prefix, limit }), built, `${prefix} ${limit}`);
    }
    // node:sqlite's rows have no prototype: compare the fields.
    assert.deepEqual(
      { ...(await settingsFrom.takeFirst(db, { prefix: 'pq.b.', limit: 5 })) },
      {
        key: 'pq.b.1',
        value: '"pq.b.1"',
      },
    );
    assert.equal(await settingsFrom.takeFirst(db, { prefix: 'pq.none.', limit: 5 }), undefined);
    await assert.rejects(settingsFrom.takeFirstOrThrow(db, { prefix: 'pq.none.', limit: 5 }), NoResultError);
  });

  test('a value used twice is bound in both places, and counts of changed rows come back', async () => {
    const db = context.store.db;
    await putSetting.run(db, { key: 'pq.twice', value: '"x"', at: 1 });
    await putSetting.run(db, { key: 'pq.twice', value: '"y"', at: 2 });
    const row = await db
      .selectFrom('settings')
      .selectAll()
      .where('key', '=', 'pq.twice')
      .executeTakeFirstOrThrow();
    assert.equal(row.value, '"y"!');
    assert.equal(Number(row.updated_at), 2);
    assert.equal(await touchSettings.affected(db, { prefix: 'pq.a.', at: 7 }), 3);
    assert.equal(await touchSettings.affected(db, { prefix: 'pq.nothing.', at: 7 }), 0);
  });

  test('in a transaction it sees the transaction’s writes and rolls back with it', async () => {
    const db = context.store.db;
    await assert.rejects(
      db.transaction().execute(async (tx) => {
        await putSetting.run(tx, { key: 'pq.tx.1', value: '"in"', at: 1 });
        assert.equal((await settingsFrom.rows(tx, { prefix: 'pq.tx.', limit: 10 })).length, 1);
        throw new Error('roll back');
      }),
      /roll back/,
    );
    assert.deepEqual(await settingsFrom.rows(db, { prefix: 'pq.tx.', limit: 10 }), []);
  });

  test('a parameter the build uses other than as a bound value is refused, not silently wrong', async () => {
    const db = context.store.db;
    const branching = prepareQuery((d, p: { limit: number }) =>
      d
        .selectFrom('settings')
        .selectAll()
        .limit(p.limit > 5 ? 5 : 1),
    );
    await assert.rejects(branching.rows(db, { limit: 9 }), (error: unknown) => {
      assert.ok(error instanceof PreparedQueryError);
      assert.equal(error.code, 'PREPARED_QUERY_MISUSE');
      return true;
    });
    const unbound = prepareQuery((d, p: { key: string; unused: string }) => {
      void p.unused;
      return d.selectFrom('settings').selectAll().where('key', '=', p.key);
    });
    await assert.rejects(unbound.rows(db, { key: 'k', unused: 'u' }), /"unused" is not a bound value/);
    const spread = prepareQuery((d, p: { key: string; value: string; updated_at: number }) =>
      d.insertInto('settings').values({ ...p }),
    );
    await assert.rejects(spread.run(db, { key: 'k', value: '"v"', updated_at: 1 }), PreparedQueryError);
  });
});

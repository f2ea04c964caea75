import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { describe, test } from 'node:test';
import { NodeSqliteDatabase } from './sqlite-dialect.ts';

function memoryDatabase(capacity?: number): NodeSqliteDatabase {
  const db = new DatabaseSync(':memory:');
  db.exec('create table t (id integer primary key, name text)');
  db.exec("insert into t (name) values ('one'), ('two')");
  return new NodeSqliteDatabase(db, capacity);
}

describe('NodeSqliteDatabase statement cache', () => {
  test('the same SQL gets the same statement; the least recently used is forgotten first', () => {
    const db = memoryDatabase(2);
    const a = db.prepare('select 1 as n');
    const b = db.prepare('select 2 as n');
    assert.equal(db.prepare('select 1 as n'), a, 'a hit');
    // Full: the next new text pushes out b, used longer ago than a.
    const c = db.prepare('select 3 as n');
    assert.equal(db.cachedStatements, 2);
    assert.equal(db.prepare('select 1 as n'), a);
    assert.equal(db.prepare('select 3 as n'), c);
    const bAgain = db.prepare('select 2 as n');
    assert.notEqual(bAgain, b, 'b was forgotten and prepared anew');
    assert.deepEqual(
      bAgain.all([]).map((row) => ({ ...(row as object) })),
      [{ n: 2 }],
    );
    db.close();
  });

  test('a cached statement follows a schema change instead of answering with the old columns', () => {
    const db = memoryDatabase();
    const select = db.prepare('select * from t order by id');
    assert.deepEqual(
      select.all([]).map((row) => ({ ...(row as object) })),
      [
        { id: 1, name: 'one' },
        { id: 2, name: 'two' },
      ],
    );
    db.prepare('alter table t add column colour text').run([]);
    db.prepare("update t set colour = 'red'").run([]);
    assert.deepEqual(
      db
        .prepare('select * from t order by id')
        .all([])
        .map((row) => ({ ...(row as object) })),
      [
        { id: 1, name: 'one', colour: 'red' },
        { id: 2, name: 'two', colour: 'red' },
      ],
    );
    // Dropped and made again with other columns: the cached text still reads the new table.
    db.prepare('drop table t').run([]);
    db.prepare('create table t (id integer primary key, size integer)').run([]);
    db.prepare('insert into t (size) values (?)').run([42]);
    assert.deepEqual(
      db
        .prepare('select * from t order by id')
        .all([])
        .map((row) => ({ ...(row as object) })),
      [{ id: 1, size: 42 }],
    );
    db.close();
  });

  test('a closed database hands out no statement, cached or not', () => {
    const db = memoryDatabase();
    const select = db.prepare('select name from t order by id');
    assert.equal(select.all([]).length, 2);
    db.close();
    assert.equal(db.cachedStatements, 0);
    assert.throws(() => db.prepare('select name from t order by id'), /not open/);
    assert.throws(() => select.all([]), /not open|finalized/i);
  });
});

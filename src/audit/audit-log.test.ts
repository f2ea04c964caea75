import { beforeEach, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { isCooError } from '../errors.ts';
import type { DatabaseTarget, Store } from '../store/database.ts';
import { createTestDatabase, describeOnEachDatabase } from '../../test/support/stores.ts';
import { entryHash } from './audit-chain.ts';
import { AuditLog, type AuditEntryInput } from './audit-log.ts';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const MINUTE = 60_000;

function entry(overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    at: T0,
    actor: 'cli',
    action: 'user.create',
    target: 'alice@example.com',
    protocol: 'cli',
    remote: '',
    outcome: 'success',
    details: {},
    ...overrides,
  };
}

/**
 * Empties the log of the suite's database, so each test starts from seq 1
 * and tampering in one test is not seen by the next.
 */
async function resetAuditLog(store: Store): Promise<void> {
  await store.db.deleteFrom('audit_pending').execute();
  await store.db.deleteFrom('audit_log').execute();
  await store.db.updateTable('audit_head').set({ seq: 0, hash: '' }).where('id', '=', 1).execute();
}

async function appendMany(log: AuditLog, count: number) {
  for (let i = 1; i <= count; i++) {
    await log.append(entry({ at: T0 + i * MINUTE, target: `u${i}@example.com` }));
  }
  // On PostgreSQL the entries are chained in the background: the tests read the chain's rows themselves.
  await log.flush();
}

describeOnEachDatabase('audit log', (context) => {
  const { kind } = context;
  let store: Store;
  let log: AuditLog;
  beforeEach(async () => {
    store = context.store;
    // The last test's log stops chaining first: its background run must not meet the reset.
    await log?.close();
    log = new AuditLog(store);
    await resetAuditLog(store);
  });

  it('chains each entry to the one before and keeps details as canonical JSON', async () => {
    await log.append(entry({ details: { b: 1, a: { d: 2, c: 3 } } }));
    await log.append(entry({ action: 'user.disable' }));
    const [second, first] = await log.query();
    assert.ok(first && second);
    assert.equal(first.seq, 1);
    assert.equal(first.prevHash, '');
    assert.equal(second.seq, 2);
    assert.equal(second.prevHash, first.hash);
    const raw = await store.db
      .selectFrom('audit_log')
      .select('details')
      .where('seq', '=', 1)
      .executeTakeFirst();
    assert.equal(raw?.details, '{"a":{"c":3,"d":2},"b":1}');
    const head = await store.db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual({ seq: Number(head.seq), hash: head.hash }, { seq: 2, hash: second.hash });
  });

  it('stamps an entry with the clock when it has no time', async () => {
    const clocked = new AuditLog(store, { now: () => T0 + 5 });
    await clocked.append({ ...entry(), at: undefined });
    const [stamped] = await clocked.query();
    assert.equal(stamped?.at, T0 + 5);
  });

  it('queries newest first, by actor, action prefix, target and time', async () => {
    await log.append(entry({ at: T0, actor: 'alice@example.com', action: 'auth.login', protocol: 'imap' }));
    await log.append(
      entry({ at: T0 + MINUTE, actor: 'bob@example.com', action: 'auth.login', outcome: 'failure' }),
    );
    await log.append(
      entry({ at: T0 + 2 * MINUTE, actor: 'cli', action: 'authx.other', target: 'bob@example.com' }),
    );
    await log.append(
      entry({ at: T0 + 3 * MINUTE, actor: 'cli', action: 'user.create', target: 'carol@example.com' }),
    );
    const seqs = async (query: Parameters<AuditLog['query']>[0]) =>
      (await log.query(query)).map((e) => e.seq);

    assert.deepEqual(await seqs({}), [4, 3, 2, 1]);
    assert.deepEqual(await seqs({ actor: 'cli' }), [4, 3]);
    assert.deepEqual(await seqs({ action: 'auth.' }), [2, 1]);
    assert.deepEqual(await seqs({ action: 'AUTH.' }), []);
    assert.deepEqual(await seqs({ action: 'auth' }), [3, 2, 1]);
    assert.deepEqual(await seqs({ action: 'user.create' }), [4]);
    assert.deepEqual(await seqs({ target: 'bob@example.com' }), [3]);
    assert.deepEqual(await seqs({ from: T0 + MINUTE, to: T0 + 3 * MINUTE }), [3, 2]);
    assert.deepEqual(await seqs({ actor: 'cli', action: 'user.' }), [4]);

    const [login] = await log.query({ actor: 'alice@example.com' });
    assert.deepEqual(
      { ...login, hash: undefined, prevHash: undefined },
      {
        seq: 1,
        at: T0,
        actor: 'alice@example.com',
        action: 'auth.login',
        target: 'alice@example.com',
        protocol: 'imap',
        remote: '',
        outcome: 'success',
        details: {},
        hash: undefined,
        prevHash: undefined,
      },
    );
  });

  it('pages by seq with beforeSeq, follows with afterSeq, and bounds the limit', async () => {
    await appendMany(log, 12);
    const seqs = async (query: Parameters<AuditLog['query']>[0]) =>
      (await log.query(query)).map((e) => e.seq);
    assert.deepEqual(await seqs({ limit: 5 }), [12, 11, 10, 9, 8]);
    assert.deepEqual(await seqs({ limit: 5, beforeSeq: 8 }), [7, 6, 5, 4, 3]);
    assert.deepEqual(await seqs({ limit: 5, beforeSeq: 3 }), [2, 1]);
    assert.deepEqual(await seqs({ afterSeq: 10 }), [12, 11]);
    assert.equal((await log.query({ limit: 5000 })).length, 12);
    await assert.rejects(
      log.query({ limit: 0 }),
      (error) => isCooError(error) && error.code === 'INVALID_INPUT',
    );
    await assert.rejects(
      log.query({ limit: 2.5 }),
      (error) => isCooError(error) && error.code === 'INVALID_INPUT',
    );
  });

  it('cuts a query to 1000 entries and defaults to 100', async () => {
    await appendMany(log, 1);
    // 1100 more rows by SQL: the limits are about reading, not the chain.
    const rows = Array.from({ length: 1100 }, (_, i) => ({
      ...entry(),
      seq: i + 2,
      at: T0,
      details: '{}',
      prev_hash: '',
      hash: '',
    }));
    for (let i = 0; i < rows.length; i += 100) {
      await store.db
        .insertInto('audit_log')
        .values(rows.slice(i, i + 100))
        .execute();
    }
    assert.equal((await log.query()).length, 100);
    assert.equal((await log.query({ limit: 1000 })).length, 1000);
    assert.equal((await log.query({ limit: 1001 })).length, 1000);
  });

  it("appends inside the caller's transaction, and rolls back with it", async () => {
    await log.append(entry());
    await assert.rejects(
      store.db.transaction().execute(async (tx) => {
        await log.append(entry({ action: 'user.delete' }), tx);
        throw new Error('the change failed');
      }),
      /the change failed/,
    );
    await store.db.transaction().execute((tx) => log.append(entry({ action: 'user.rename' }), tx));
    assert.deepEqual(
      (await log.query()).map((e) => e.action),
      ['user.rename', 'user.create'],
    );
    assert.deepEqual(await log.verify(), { ok: true, checked: 2, problems: [], omittedProblems: 0 });
  });

  // The two tests below run in child processes on a database of their own.
  // Closing a store resolves before PostgreSQL has closed all of its pool's
  // connections, and dropping a database cuts those that remain; a child that
  // has exited holds none, so the drop cannot hit a connection still in use.

  it('serialises 50 concurrent appends into one valid chain', async () => {
    await withOwnDatabase(kind, async (target) => {
      const result: unknown = JSON.parse(await runChild(target, CONCURRENT_SCRIPT));
      assert.deepEqual(result, {
        seqs: Array.from({ length: 50 }, (_, i) => i + 1),
        verification: { ok: true, checked: 50, problems: [], omittedProblems: 0 },
      });
    });
  });

  it('serialises appends from two processes into one valid chain', async () => {
    await withOwnDatabase(kind, async (target) => {
      await runChild(target, appendScript(0));
      await Promise.all([runChild(target, appendScript(25)), runChild(target, appendScript(25))]);
      const result: unknown = JSON.parse(await runChild(target, VERIFY_SCRIPT));
      assert.deepEqual(result, { ok: true, checked: 50, problems: [], omittedProblems: 0 });
    });
  });

  it('verifies an empty log and an intact one, across page boundaries', async () => {
    assert.deepEqual(await log.verify(), { ok: true, checked: 0, problems: [], omittedProblems: 0 });
    await appendMany(log, 30);
    assert.deepEqual(await log.verify({ pageSize: 7 }), {
      ok: true,
      checked: 30,
      problems: [],
      omittedProblems: 0,
    });
    assert.deepEqual(await log.verify({ pageSize: 10 }), {
      ok: true,
      checked: 30,
      problems: [],
      omittedProblems: 0,
    });
  });

  it('names an entry whose details were changed by SQL, and only that one', async () => {
    await appendMany(log, 50);
    await store.db.updateTable('audit_log').set({ details: '{"quota":0}' }).where('seq', '=', 42).execute();
    const result = await log.verify({ pageSize: 10 });
    assert.equal(result.ok, false);
    assert.equal(result.checked, 50);
    assert.deepEqual(result.problems, [
      {
        seq: 42,
        kind: 'changed',
        message: 'entry 42 (user.create by cli at 2026-11-22T12:42:00Z) was changed',
      },
    ]);
  });

  it('notices an entry rewritten with a recomputed hash at the link to the next', async () => {
    await appendMany(log, 5);
    const row = await store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '=', 3)
      .executeTakeFirstOrThrow();
    const forged = { ...row, seq: 3, at: Number(row.at), actor: 'mallory@example.com' };
    await store.db
      .updateTable('audit_log')
      .set({ actor: forged.actor, hash: entryHash(row.prev_hash, forged) })
      .where('seq', '=', 3)
      .execute();
    assert.deepEqual((await log.verify()).problems, [
      {
        seq: 4,
        kind: 'changed',
        message:
          'entry 4 (user.create by cli at 2026-11-22T12:04:00Z) does not follow entry 3: one of them was rewritten',
      },
    ]);
  });

  it('reports deleted entries in the middle as missing', async () => {
    await appendMany(log, 50);
    await store.db.deleteFrom('audit_log').where('seq', 'in', [43, 44]).execute();
    await store.db.deleteFrom('audit_log').where('seq', '=', 10).execute();
    await store.db.deleteFrom('audit_log').where('seq', '=', 1).execute();
    const result = await log.verify({ pageSize: 10 });
    assert.equal(result.checked, 46);
    assert.deepEqual(result.problems, [
      { seq: 1, kind: 'missing', message: 'entry 1 was deleted' },
      { seq: 10, kind: 'missing', message: 'entry 10 was deleted' },
      { seq: 43, kind: 'missing', message: 'entries 43..44 were deleted' },
    ]);
  });

  it('reports a deleted tail as truncated', async () => {
    await appendMany(log, 100);
    await store.db.deleteFrom('audit_log').where('seq', '>', 97).execute();
    assert.deepEqual((await log.verify()).problems, [
      { seq: 98, kind: 'truncated', message: 'the last entries after 97 were deleted (98..100)' },
    ]);
    await store.db.deleteFrom('audit_log').execute();
    assert.deepEqual((await log.verify()).problems, [
      { seq: 1, kind: 'truncated', message: 'all 100 entries were deleted' },
    ]);
  });

  it('reports a deleted tail as truncated even when the head seq was set back', async () => {
    await appendMany(log, 10);
    await store.db.deleteFrom('audit_log').where('seq', '>', 7).execute();
    await store.db.updateTable('audit_head').set({ seq: 7 }).where('id', '=', 1).execute();
    assert.deepEqual((await log.verify()).problems, [
      {
        seq: 7,
        kind: 'truncated',
        message:
          'the log ends at entry 7 but the head records another last hash: the last entries after 7 were deleted or rewritten',
      },
    ]);
  });

  it('keeps appending a valid chain after a verification', async () => {
    await appendMany(log, 3);
    await log.verify();
    await log.append(entry());
    assert.equal((await log.verify()).ok, true);
    // And a transaction rolled back by the database itself leaves no trace.
    await assert.rejects(
      store.db.transaction().execute(async (tx) => {
        await log.append(entry(), tx);
        await sql`select * from no_such_table`.execute(tx);
      }),
    );
    assert.deepEqual(await log.verify(), { ok: true, checked: 4, problems: [], omittedProblems: 0 });
  });

  // PostgreSQL: entries go to audit_pending and are chained in batches (the journal).
  if (kind === 'postgres') {
    it('an appending transaction takes no lock: another appends and commits while it is still open', async () => {
      await store.db.transaction().execute(async (tx) => {
        await log.append(entry({ action: 'user.first' }), tx);
        // With the head taken by the open transaction, this append would wait for it: a deadlock.
        const other = log.append(entry({ action: 'user.second' }));
        const timeout = new Promise((_, reject) =>
          setTimeout(
            () => reject(new Error('the second append waited for the first transaction')),
            3000,
          ).unref(),
        );
        await Promise.race([other, timeout]);
      });
      const actions = (await log.query()).map((e) => e.action).sort();
      assert.deepEqual(actions, ['user.first', 'user.second']);
      assert.deepEqual(await log.verify(), { ok: true, checked: 2, problems: [], omittedProblems: 0 });
      const pending = await store.db.selectFrom('audit_pending').selectAll().execute();
      assert.deepEqual(pending, []);
    });

    it('chains in the background, with nobody reading, within moments', async () => {
      await log.append(entry({ action: 'user.background' }));
      const chained = async () =>
        (await store.db.selectFrom('audit_log').select('action').execute()).map((row) => row.action);
      const deadline = Date.now() + 3000;
      while ((await chained()).length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(await chained(), ['user.background']);
    });

    it('entries a stopped process left pending are chained by the next reader, in the order written', async () => {
      const left = ['user.one', 'user.two', 'user.three'].map((action, i) => ({
        ...entry({ action }),
        at: T0 + i,
        details: '{}',
      }));
      await store.db.insertInto('audit_pending').values(left).execute();
      const reader = new AuditLog(store);
      try {
        assert.deepEqual(
          (await reader.query()).map((e) => [e.seq, e.action]),
          [
            [3, 'user.three'],
            [2, 'user.two'],
            [1, 'user.one'],
          ],
        );
        assert.equal((await reader.verify()).ok, true);
      } finally {
        await reader.close();
      }
    });

    it('a thousand entries from two logs at once (two nodes) make one chain, batch by batch', async () => {
      const other = new AuditLog(store);
      try {
        await Promise.all(
          Array.from({ length: 1000 }, (_, i) =>
            (i % 2 ? log : other).append(entry({ target: `u${i}@example.com` })),
          ),
        );
        await Promise.all([log.flush(), other.flush()]);
        assert.deepEqual(await log.verify({ pageSize: 300 }), {
          ok: true,
          checked: 1000,
          problems: [],
          omittedProblems: 0,
        });
      } finally {
        await other.close();
      }
    });
  }
});

const execFileAsync = promisify(execFile);
const AUDIT_LOG_MODULE = fileURLToPath(new URL('./audit-log.ts', import.meta.url));
const DATABASE_MODULE = fileURLToPath(new URL('../store/database.ts', import.meta.url));
const OPEN = `
  import { openStore } from ${JSON.stringify(DATABASE_MODULE)};
  import { AuditLog } from ${JSON.stringify(AUDIT_LOG_MODULE)};
  const store = await openStore(JSON.parse(process.env.COO_TEST_TARGET));
  const log = new AuditLog(store);
`;
const CONCURRENT_SCRIPT = `${OPEN}
  await Promise.all(Array.from({ length: 50 }, (_, i) => log.append({ actor: 'cli',
    action: 'user.create', target: 'u' + i, protocol: 'cli', remote: '', outcome: 'success' })));
  const seqs = (await log.query({ limit: 1000 })).map((entry) => entry.seq).sort((a, b) => a - b);
  console.log(JSON.stringify({ seqs, verification: await log.verify() }));
  await store.close();
`;
const VERIFY_SCRIPT = `${OPEN}
  console.log(JSON.stringify(await log.verify()));
  await store.close();
`;

/** Appends as `coo user ...` does beside a running server: from another process. */
function appendScript(count: number): string {
  return `${OPEN}
    for (let i = 0; i < ${count}; i++) {
      await log.append({ actor: 'cli', action: 'user.create', target: 'pid' + process.pid, protocol: 'cli',
        remote: '', outcome: 'success', details: { i } });
    }
    await store.close();
  `;
}

async function withOwnDatabase(kind: 'sqlite' | 'postgres', test: (target: DatabaseTarget) => Promise<void>) {
  const database = await createTestDatabase(kind);
  try {
    await test(database.target);
  } finally {
    await database.drop();
  }
}

async function runChild(target: DatabaseTarget, script: string): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, COO_TEST_TARGET: JSON.stringify(target) },
    timeout: 60_000,
  });
  return stdout;
}

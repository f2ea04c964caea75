import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createPostgresDatabase, type TestDatabase } from '../../test/support/stores.ts';
import { verifyPassword } from '../auth/password.ts';
import { loadConfig } from '../config/loader.ts';
import { CooError } from '../errors.ts';
import { initDataDir } from '../init.ts';
import { openServices, type Services } from '../services.ts';
import { readAuditHead } from '../store/audit.ts';
import { listOrgUnits } from '../store/org-units.ts';
import { findUserByAddress, listUsers } from '../store/users.ts';
import { encodeShiftJis } from './shift-jis.ts';
import { CLI_ACTOR } from './types.ts';
import { exportUsers, importUsers, USER_CSV_COLUMNS, type ImportReport } from './user-csv.ts';

const ADMIN = 'admin@example.jp';
const HEADER = USER_CSV_COLUMNS.join(',');
const FAST_ARGON2 = { memoryKib: 1024, passes: 1, parallelism: 1 };

/** A fresh data dir (example.jp, example.com and the alias alias.example.jp) with cheap argon2 parameters. */
async function openDirectory(
  kind: 'sqlite' | 'postgres',
  cleanups: (() => Promise<void>)[],
): Promise<Services> {
  const root = mkdtempSync(path.join(tmpdir(), 'coo-csv-'));
  cleanups.push(async () => rmSync(root, { recursive: true, force: true }));
  let database: TestDatabase | undefined;
  if (kind === 'postgres') {
    database = await createPostgresDatabase();
    const created = database;
    cleanups.push(() => created.drop());
  }
  const dataDir = path.join(root, 'data');
  await initDataDir({
    dataDir,
    domain: 'example.jp',
    admin: ADMIN,
    password: 'correct horse battery',
    databaseUrl: database?.target.kind === 'postgres' ? database.target.url : undefined,
  });
  const file = path.join(dataDir, 'coo.toml');
  writeFileSync(
    file,
    readFileSync(file, 'utf8')
      .replace(/^argon2_memory_kib = \d+/m, `argon2_memory_kib = ${FAST_ARGON2.memoryKib}`)
      .replace(/^argon2_passes = \d+/m, `argon2_passes = ${FAST_ARGON2.passes}`),
  );
  const services = await openServices(loadConfig(dataDir));
  cleanups.unshift(() => services.close());
  await services.directory.domains.add('example.com', CLI_ACTOR);
  await services.directory.domains.add('alias.example.jp', CLI_ACTOR, { aliasOf: 'example.jp' });
  return services;
}

function csv(...rows: string[]): Buffer {
  return Buffer.from(`${rows.join('\r\n')}\r\n`, 'utf8');
}

function run(
  services: Services,
  input: Buffer,
  options: { dryRun?: boolean; encoding?: 'auto' | 'utf-8' | 'shift_jis' } = {},
) {
  return importUsers(services, input, { actor: CLI_ACTOR, ...options });
}

function assertOk(report: ImportReport): void {
  assert.deepEqual(report.errors, []);
}

/** What an import may touch, to show that a refused one touched nothing. */
async function state(services: Services) {
  const db = services.store.db;
  // Entries still pending (PostgreSQL's journal) are chained first: the head then says what was logged.
  await services.audit.flush();
  return {
    users: await listUsers(db),
    units: await listOrgUnits(db),
    audit: await readAuditHead(db),
  };
}

const JAPANESE = [
  HEADER,
  'tanaka.taro@example.jp,田中 太郎,たなか たろう,営業部/東京,課長,03-1234-5678,5G,2027-03-31,',
  'suzuki.hanako@example.jp,鈴木 花子,すずき はなこ,営業部/大阪,,06-9876-5432,,,',
  'j.smith@example.com,John Smith,ジョン スミス,開発部/基盤/ネットワーク,Engineer,+81 3 5555 0000,unlimited,,',
  'sato@example.jp,"Sato, Ichiro ""Ichi""",さとう いちろう,,,,,,',
];

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`users CSV import and export [${kind}]`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const cleanup of cleanups) await cleanup();
    });

    test('creates users and the org units their paths name, then reports unchanged on a second run', async () => {
      const services = await openDirectory(kind, cleanups);
      const file = csv(...JAPANESE.filter((line) => !line.startsWith('sato@')));
      const first = await run(services, file);
      assertOk(first);
      assert.equal(first.created, 3);
      assert.equal(first.updated, 0);
      assert.equal(first.unchanged, 0);
      assert.deepEqual(first.unitsCreated, [
        '営業部',
        '営業部/東京',
        '営業部/大阪',
        '開発部',
        '開発部/基盤',
        '開発部/基盤/ネットワーク',
      ]);

      const tanaka = await services.directory.users.get('tanaka.taro@example.jp');
      assert.equal(tanaka.displayName, '田中 太郎');
      assert.equal(tanaka.nameReading, 'たなか たろう');
      assert.equal(tanaka.unit, '営業部/東京');
      assert.equal(tanaka.title, '課長');
      assert.equal(tanaka.quotaBytes, 5 * 1024 ** 3);
      assert.equal(tanaka.validUntil, new Date(2027, 2, 31, 23, 59, 59, 999).getTime());
      assert.equal(tanaka.hasPassword, false);
      assert.equal((await services.directory.users.get('j.smith@example.com')).quotaBytes, 0);
      assert.equal((await services.directory.users.get('suzuki.hanako@example.jp')).quotaBytes, null);

      const second = await run(services, file);
      assertOk(second);
      assert.deepEqual([second.created, second.updated, second.unchanged], [0, 0, 3]);
      assert.deepEqual(second.unitsCreated, []);
    });

    test('updates only users whose fields differ, and places new units after existing siblings', async () => {
      const services = await openDirectory(kind, cleanups);
      await services.directory.org.add('営業部', CLI_ACTOR);
      await services.directory.org.add('総務部', CLI_ACTOR);
      assertOk(
        await run(services, csv(HEADER, 'a@example.jp,A,,営業部,,,,,', 'b@example.jp,B,,営業部,,,,,')),
      );
      const report = await run(
        services,
        csv(
          HEADER,
          'a@example.jp,A,,営業部,,,,,',
          'b@example.jp,B,,営業部/名古屋,部長,,1G,,',
          'c@example.jp,C,,経理部,,,,,',
        ),
      );
      assertOk(report);
      assert.deepEqual([report.created, report.updated, report.unchanged], [1, 1, 1]);
      assert.deepEqual(report.unitsCreated, ['営業部/名古屋', '経理部']);
      const b = await services.directory.users.get('b@example.jp');
      assert.deepEqual([b.unit, b.title, b.quotaBytes], ['営業部/名古屋', '部長', 1024 ** 3]);
      const top = (await services.directory.org.list()).map((unit) => [unit.name, unit.position]);
      assert.deepEqual(top, [
        ['営業部', 0],
        ['総務部', 1],
        ['経理部', 2],
      ]);
    });

    test('a file with fewer columns leaves the other fields as they are', async () => {
      const services = await openDirectory(kind, cleanups);
      assertOk(
        await run(services, csv(HEADER, 'a@example.jp,A,えー,営業部,主任,03-1111-2222,3G,2030-01-01,')),
      );
      const report = await run(services, csv('name,address', 'Aさん,A@Example.JP'));
      assertOk(report);
      assert.deepEqual([report.created, report.updated, report.unchanged], [0, 1, 0]);
      const a = await services.directory.users.get('a@example.jp');
      assert.deepEqual(
        [a.displayName, a.nameReading, a.unit, a.title, a.phone, a.quotaBytes],
        ['Aさん', 'えー', '営業部', '主任', '03-1111-2222', 3 * 1024 ** 3],
      );
    });

    test('every invalid line is reported with its line number and nothing is written', async () => {
      const services = await openDirectory(kind, cleanups);
      const before = await state(services);
      const report = await run(
        services,
        csv(
          HEADER,
          'ok@example.jp,OK,,営業部,,,,,', // 2: fine, but not written either
          'not-an-address,X,,,,,,,', // 3
          'x@unknown.example,X,,,,,,,', // 4
          'x@alias.example.jp,X,,,,,,,', // 5
          'noname@example.jp,,,,,,,,', // 6
          'q@example.jp,Q,,,,,12 parsecs,,', // 7
          'v@example.jp,V,,,,,,2027-02-30,', // 8
          'p@example.jp,P,,,,phone: 123,,,', // 9
          `t@example.jp,T,,,${'長'.repeat(201)},,,,`, // 10
          'w@example.jp,W,,,,,,,short', // 11
          'ok@example.jp,OK again,,,,,,,', // 12: duplicate of line 2
          'u@example.jp,U,,営業部//東京,,,,,', // 13
          'f@example.jp,F,,,', // 14: too few fields
          ',Nobody,,,,,,,', // 15
          'multi@example.jp,,,,,,bad,,', // 16: two errors
        ),
      );
      const lines = report.errors.map((error) => error.line);
      assert.deepEqual(lines, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 16]);
      const message = (line: number) => report.errors.find((error) => error.line === line)?.message ?? '';
      assert.match(message(3), /^address: "not-an-address" is not a valid address/);
      assert.match(message(4), /^address: unknown domain "unknown\.example"/);
      assert.match(message(5), /alias domain/);
      assert.match(message(6), /^name: must not be empty/);
      assert.match(message(7), /^quota: "12 parsecs" is not a size/);
      assert.match(message(8), /^valid_until: "2027-02-30" is not a valid date/);
      assert.match(message(9), /^phone: /);
      assert.match(message(10), /^title: is longer than 200 characters/);
      assert.match(message(11), /^password: the password is too short/);
      assert.match(message(12), /^address: ok@example\.jp is already on line 2/);
      assert.match(message(13), /^unit: /);
      assert.match(message(14), /has 5 fields but the header has 9/);
      assert.match(message(15), /^address: is required/);
      assert.deepEqual([report.created, report.updated, report.unchanged], [0, 0, 0]);
      assert.deepEqual(await state(services), before);
    });

    test('a bad header is refused on line 1: unknown column, missing column, empty file', async () => {
      const services = await openDirectory(kind, cleanups);
      const unknown = await run(services, csv('address,name,department', 'a@example.jp,A,x'));
      assert.deepEqual(
        unknown.errors.map((e) => e.line),
        [1],
      );
      assert.match(unknown.errors[0]?.message ?? '', /unknown column "department"/);
      const missing = await run(services, csv('address,reading', 'a@example.jp,a'));
      assert.match(missing.errors[0]?.message ?? '', /required column "name" is missing/);
      const twice = await run(services, csv('address,name,name', 'a@example.jp,A,B'));
      assert.match(twice.errors[0]?.message ?? '', /column "name" appears twice/);
      const empty = await run(services, Buffer.alloc(0));
      assert.match(empty.errors[0]?.message ?? '', /the file is empty/);
    });

    test('an address given twice, in another case, is a duplicate', async () => {
      const services = await openDirectory(kind, cleanups);
      const report = await run(
        services,
        csv(HEADER, 'Sato@example.jp,Sato,,,,,,,', 'sato@EXAMPLE.jp,Sato,,,,,,,'),
      );
      assert.deepEqual(report.errors, [
        { line: 3, message: 'address: sato@example.jp is already on line 2' },
      ]);
      assert.equal(await services.directory.users.find('sato@example.jp'), undefined);
    });

    test('a dry run counts what would change and writes nothing', async () => {
      const services = await openDirectory(kind, cleanups);
      assertOk(await run(services, csv(HEADER, 'a@example.jp,A,,,,,,,')));
      const before = await state(services);
      const report = await run(
        services,
        csv(HEADER, 'a@example.jp,A2,,,,,,,', 'b@example.jp,B,,新部署/一課,,,,,longenough'),
        {
          dryRun: true,
        },
      );
      assertOk(report);
      assert.deepEqual([report.created, report.updated, report.unchanged], [1, 1, 0]);
      assert.deepEqual(report.unitsCreated, ['新部署', '新部署/一課']);
      assert.deepEqual(await state(services), before);
    });

    test('passwords in the file are hashed at the import cost, redone at the full cost at the first login; a blank one keeps the old', async () => {
      const services = await openDirectory(kind, cleanups);
      assertOk(
        await run(services, csv(HEADER, 'a@example.jp,A,,,,,,,first-password', 'b@example.jp,B,,,,,,,')),
      );
      // The template's import cost, not the full cost the config was given.
      const importCost = { memoryKib: 4096, passes: 1, parallelism: 1 };
      const a = await findUserByAddress(services.store.db, 'a@example.jp');
      assert.match(a?.password_hash ?? '', /^\$argon2id\$v=19\$m=4096,t=1,p=1\$/);
      assert.deepEqual(await verifyPassword('first-password', a?.password_hash ?? '', FAST_ARGON2), {
        ok: true,
        needsRehash: true,
      });
      assert.equal((await findUserByAddress(services.store.db, 'b@example.jp'))?.password_hash, null);

      const report = await run(
        services,
        csv(HEADER, 'a@example.jp,A,,,,,,,', 'b@example.jp,B,,,,,,,second-password'),
      );
      assertOk(report);
      assert.deepEqual([report.updated, report.unchanged], [1, 1]);
      const again = await findUserByAddress(services.store.db, 'a@example.jp');
      assert.equal(again?.password_hash, a?.password_hash);
      const b = await findUserByAddress(services.store.db, 'b@example.jp');
      assert.equal((await verifyPassword('second-password', b?.password_hash ?? '', importCost)).ok, true);
      const user = await services.auth.login({
        login: 'b@example.jp',
        password: 'second-password',
        protocol: 'cli',
        remote: '',
      });
      assert.equal(user.address, 'b@example.jp');
      const rehashed = (await findUserByAddress(services.store.db, 'b@example.jp'))?.password_hash ?? '';
      assert.match(rehashed, /^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
      assert.deepEqual(await verifyPassword('second-password', rehashed, FAST_ARGON2), {
        ok: true,
        needsRehash: false,
      });
    });

    test('each created and updated user is audited, with one summary, and the chain verifies', async () => {
      const services = await openDirectory(kind, cleanups);
      assertOk(await run(services, csv(HEADER, 'a@example.jp,A,,人事部,,,,,', 'b@example.jp,B,,,,,,,')));
      assertOk(
        await run(
          services,
          csv(HEADER, 'a@example.jp,A,,人事部,,,,,', 'b@example.jp,Bee,,,,,,,secret-enough'),
        ),
      );
      const entries = await services.audit.query({ limit: 6 });
      assert.deepEqual(entries.map((e) => [e.action, e.target]).reverse(), [
        ['org.create', '人事部'],
        ['user.create', 'a@example.jp'],
        ['user.create', 'b@example.jp'],
        ['user.import', 'users'],
        ['user.update', 'b@example.jp'],
        ['user.import', 'users'],
      ]);
      const update = entries.find((e) => e.action === 'user.update');
      assert.deepEqual(update?.details, {
        via: 'import',
        line: 3,
        changes: { name: 'Bee', password: 'set' },
      });
      assert.equal(JSON.stringify(entries).includes('secret-enough'), false);
      const summary = entries[0];
      assert.deepEqual(summary?.details, { created: 0, updated: 1, unchanged: 1, unitsCreated: [] });
      assert.equal((await services.audit.verify()).ok, true);
    });

    test('an import that would expire the last administrator is refused', async () => {
      const services = await openDirectory(kind, cleanups);
      const report = await run(
        services,
        csv('address,name,valid_until', `${ADMIN},Administrator,2001-01-01`),
      );
      assert.equal(report.errors[0]?.line, 2);
      assert.match(report.errors[0]?.message ?? '', /no active administrator/);
      assert.equal((await services.directory.users.get(ADMIN)).validUntil, null);
    });

    test('Shift_JIS input is read by auto-detection and when named; a UTF-8 BOM is skipped', async () => {
      const services = await openDirectory(kind, cleanups);
      const text = `${HEADER}\r\nyamada@example.jp,山田 太郎,やまだ たろう,営業部/東京,ｶﾀｶﾅ係長,,,,\r\n`;
      const sjis = encodeShiftJis(text);
      assert.notDeepEqual(sjis, Buffer.from(text, 'utf8'));
      assertOk(await run(services, sjis));
      const yamada = await services.directory.users.get('yamada@example.jp');
      assert.deepEqual(
        [yamada.displayName, yamada.unit, yamada.title],
        ['山田 太郎', '営業部/東京', 'ｶﾀｶﾅ係長'],
      );
      const named = await run(services, sjis, { encoding: 'shift_jis' });
      assert.deepEqual([named.unchanged, named.errors.length], [1, 0]);

      const bom = Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(text.replace('yamada', 'yamada2'), 'utf8'),
      ]);
      const report = await run(services, bom);
      assertOk(report);
      assert.equal(report.created, 1);
      assert.equal((await services.directory.users.get('yamada2@example.jp')).displayName, '山田 太郎');
    });

    test('bytes that are neither UTF-8 nor Shift_JIS are an error naming the line', async () => {
      const services = await openDirectory(kind, cleanups);
      const input = Buffer.concat([
        csv(HEADER, 'a@example.jp,A,,,,,,,'),
        Buffer.from('b@example.jp,B', 'latin1'),
        Buffer.from([0x85, 0xff, 0xfe]),
      ]);
      const report = await run(services, input);
      assert.deepEqual(report.errors, [{ line: 3, message: 'line 3 is not valid UTF-8 or Shift_JIS text' }]);
      // "à" is C3 A0 in UTF-8, and A0 is no character in Shift_JIS.
      const named = await run(services, csv(HEADER, 'a@example.jp,Fà,,,,,,,'), { encoding: 'shift_jis' });
      assert.equal(named.errors[0]?.line, 2);
      assert.equal(await services.directory.users.find('a@example.jp'), undefined);
    });

    test('export, import into a fresh data dir, export again: the same bytes, Japanese included', async () => {
      const source = await openDirectory(kind, cleanups);
      assertOk(await run(source, csv(...JAPANESE)));
      assertOk(
        await run(source, csv('address,name,valid_until', 'late@example.jp,Late,2031-06-15T12:30:00.000Z')),
      );
      const exported = await exportUsers(source);
      const text = exported.toString('utf8');
      assert.ok(
        text.startsWith('\uFEFFaddress,name,reading,unit,title,phone,quota,valid_until,password\r\n'),
      );
      assert.ok(text.includes('sato@example.jp,"Sato, Ichiro ""Ichi""",さとう いちろう,,,,,,\r\n'));
      assert.ok(
        text.includes(
          'tanaka.taro@example.jp,田中 太郎,たなか たろう,営業部/東京,課長,03-1234-5678,5G,2027-03-31,\r\n',
        ),
      );
      assert.ok(
        text.includes(
          'j.smith@example.com,John Smith,ジョン スミス,開発部/基盤/ネットワーク,Engineer,+81 3 5555 0000,unlimited,,\r\n',
        ),
      );
      assert.ok(text.includes('late@example.jp,Late,,,,,,2031-06-15T12:30:00.000Z,\r\n'));
      const addresses = text
        .trim()
        .split('\r\n')
        .slice(1)
        .map((line) => line.split(',')[0]);
      assert.deepEqual(addresses, [...addresses].sort());

      const target = await openDirectory(kind, cleanups);
      const report = await run(target, exported);
      assertOk(report);
      assert.equal(report.created, 5);
      assert.equal(report.unchanged, 1, 'the administrator exists in both');
      assert.deepEqual(await exportUsers(target), exported);

      const sjis = await exportUsers(source, { encoding: 'shift_jis' });
      assert.equal(new TextDecoder('shift_jis').decode(sjis), text.slice(1));
      const fromSjis = await openDirectory(kind, cleanups);
      assertOk(await run(fromSjis, sjis));
      assert.deepEqual(await exportUsers(fromSjis, { encoding: 'shift_jis' }), sjis);
    });

    test('a Shift_JIS export of a character Shift_JIS lacks is an error naming the line', async () => {
      const services = await openDirectory(kind, cleanups);
      assertOk(await run(services, csv(HEADER, 'a@example.jp,A,,,,,,,', 'b@example.jp,髙橋 🍣,,,,,,,')));
      await assert.rejects(exportUsers(services, { encoding: 'shift_jis' }), (error: unknown) => {
        assert.ok(error instanceof CooError);
        assert.deepEqual(error.details, [
          { line: 4, message: 'b@example.jp: "🍣" (U+1F363) in name has no Shift_JIS encoding' },
        ]);
        return true;
      });
      // 髙 (U+9AD9) is in Windows' Shift_JIS (CP932) extensions and survives.
      assertOk(await run(services, csv(HEADER, 'b@example.jp,髙橋 寿司,,,,,,,')));
      const sjis = await exportUsers(services, { encoding: 'shift_jis' });
      assert.ok(new TextDecoder('shift_jis').decode(sjis).includes('髙橋 寿司'));
    });

    test('a failure late in the transaction rolls back the units, users, updates and audit entries', async () => {
      const services = await openDirectory(kind, cleanups);
      assertOk(await run(services, csv(HEADER, 'keep@example.jp,Keep,,,,,,,')));
      const db = services.store.db;
      // The summary is the last row the import writes: fail there, after everything else.
      if (kind === 'sqlite') {
        await sql`create trigger fail_import before insert on audit_log when new.action = 'user.import'
          begin select raise(abort, 'injected failure'); end`.execute(db);
      } else {
        await sql`create function fail_import() returns trigger language plpgsql as $$
          begin if new.action = 'user.import' then raise exception 'injected failure'; end if; return new; end $$`.execute(
          db,
        );
        // On PostgreSQL the entry is written to audit_pending in the import's transaction (the journal).
        await sql`create trigger fail_import before insert on audit_pending for each row execute function fail_import()`.execute(
          db,
        );
      }
      const before = await state(services);
      const rows = [HEADER, 'keep@example.jp,Changed,,,,,,,'];
      for (let i = 0; i < 1200; i++) rows.push(`user${i}@example.jp,User ${i},,部/課${i % 7},,,,,`);
      await assert.rejects(run(services, csv(...rows)), /injected failure/);
      assert.deepEqual(await state(services), before);
      await sql`drop trigger fail_import${sql.raw(kind === 'sqlite' ? '' : ' on audit_pending')}`.execute(db);
      const retry = await run(services, csv(...rows));
      assertOk(retry);
      assert.deepEqual([retry.created, retry.updated], [1200, 1]);
      // More updates than one statement carries: every chunk lands.
      const renamed = rows.map((row, i) => (i < 2 ? row : row.replace(',User ', ',Person ')));
      const update = await run(services, csv(...renamed));
      assertOk(update);
      assert.deepEqual([update.created, update.updated, update.unchanged], [0, 1200, 1]);
      const last = await services.directory.users.get('user1199@example.jp');
      assert.deepEqual([last.displayName, last.unit], ['Person 1199', '部/課2']);
      assert.equal((await services.audit.verify()).ok, true);
    });

    test('progress is reported about every 100 lines and ends with the total', async () => {
      const services = await openDirectory(kind, cleanups);
      const rows = [HEADER];
      for (let i = 0; i < 350; i++)
        rows.push(`p${i}@example.jp,P ${i},,,,,,,${i % 2 ? 'password-' + i : ''}`);
      const calls: [number, number][] = [];
      const report = await importUsers(services, csv(...rows), {
        actor: CLI_ACTOR,
        onProgress: (done, total) => calls.push([done, total]),
      });
      assertOk(report);
      assert.ok(calls.length >= 3 && calls.length <= 5, `${calls.length} calls`);
      assert.deepEqual(calls.at(-1), [350, 350]);
      for (const [i, [done]] of calls.entries()) if (i > 0) assert.ok(done > (calls[i - 1]?.[0] ?? 0));
    });
  });
}

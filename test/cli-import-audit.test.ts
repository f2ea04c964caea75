import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { cooOn, DataDirTemplate, oneLine, runCoo } from './support/cli.ts';

function expectOk(result: { code: number | null; stderr: string }): void {
  assert.equal(result.code, 0, result.stderr);
}

const USERS_CSV = [
  'address,name,reading,unit,title,phone,quota,valid_until',
  'sato@example.com,佐藤 花子,さとう はなこ,営業部/東京,課長,03-1234-5678,1G,2030-12-31',
  'ito@example.com,Ito Ken,,開発部,,,,',
  '',
].join('\n');

/** Changes the SQLite database behind the CLI's back, as an intruder would. */
function tamper(dataDir: string, statement: string): void {
  const db = new DatabaseSync(path.join(dataDir, 'coo.db'));
  try {
    db.exec(statement);
  } finally {
    db.close();
  }
}

describe('coo import and export', { concurrency: true }, () => {
  const template = new DataDirTemplate();
  before(() => template.create());
  after(() => template.remove());

  test('import --dry-run writes nothing; import creates users and units and prints the counts and the time', async () => {
    const dir = template.copy();
    const coo = cooOn(dir);
    const file = path.join(dir, 'users.csv');
    writeFileSync(file, USERS_CSV);

    const dry = await coo(['import', file, '--dry-run']);
    expectOk(dry);
    assert.match(
      dry.stdout,
      /^dry run: 2 users checked in \d+\.\d s: 2 to create, 0 to update, 0 unchanged; 3 org units to create; nothing was written\n$/,
    );
    assert.equal((await coo(['user', 'list'])).stdout.trimEnd().split('\n').length, 2, 'only the admin');

    const real = await coo(['import', file]);
    expectOk(real);
    assert.equal(real.stderr, '', 'no progress bar when stderr is not a terminal');
    assert.match(
      real.stdout,
      /^imported 2 users in \d+\.\d s \(2 created, 0 updated, 0 unchanged; 3 org units created\)\n$/,
    );
    const show = await coo(['user', 'show', 'sato@example.com']);
    assert.match(show.stdout, /^unit: +営業部\/東京$/m);
    assert.match(show.stdout, /^quota: +1G$/m);

    const again = await coo(['import', file]);
    assert.match(again.stdout, /^imported 2 users in \d+\.\d s \(0 created, 0 updated, 2 unchanged\)\n$/);
  });

  test('import of a file with bad lines lists FILE:LINE: message for each, imports nothing and exits 1', async () => {
    const dir = template.copy();
    const coo = cooOn(dir);
    const file = path.join(dir, 'bad.csv');
    writeFileSync(
      file,
      'address,name,unit\nok@example.com,Fine,New Unit\nnot-an-address,X,\nempty@example.com,,\n',
    );
    const result = await coo(['import', file]);
    assert.equal(result.code, 1);
    const lines = result.stderr.trimEnd().split('\n');
    assert.match(lines[0] ?? '', new RegExp(`^${file.replaceAll('.', '\\.')}:3: .*not-an-address`));
    assert.match(lines[1] ?? '', new RegExp(`^${file.replaceAll('.', '\\.')}:4: .*name`));
    assert.equal(lines[2], 'coo: nothing was imported (2 errors)');
    assert.equal(lines.length, 3);
    const [users, units] = await Promise.all([coo(['user', 'list']), coo(['org', 'list'])]);
    assert.doesNotMatch(users.stdout, /ok@example\.com/);
    assert.doesNotMatch(units.stdout, /New Unit/);
  });

  test('import - reads stdin, export - writes stdout, and a Shift_JIS round trip keeps Japanese intact', async () => {
    const source = cooOn(template.copy());
    expectOk(await source(['import', '-'], { input: USERS_CSV }));
    const utf8 = await source(['export', '-']);
    expectOk(utf8);
    assert.match(
      utf8.stdout,
      /^sato@example\.com,佐藤 花子,さとう はなこ,営業部\/東京,課長,03-1234-5678,1G,2030-12-31,/m,
    );

    const target = template.copy();
    const file = path.join(target, 'sjis.csv');
    const exported = await source(['export', file, '--encoding', 'shift_jis']);
    assert.equal(exported.stdout, `exported 3 users to ${file}\n`);
    const bytes = readFileSync(file);
    assert.ok(bytes.includes(Buffer.from([0x8d, 0xb2, 0x93, 0xa1])), '佐藤 in Shift_JIS');
    expectOk(await cooOn(target)(['import', file]));
    const back = await cooOn(target)(['export', '-']);
    assert.equal(back.stdout, utf8.stdout);
  });

  test('an unknown --encoding or a missing file is one line and exit 1, and nothing is written', async () => {
    const dir = template.copy();
    const coo = cooOn(dir);
    const out = path.join(dir, 'out.csv');
    const [encoding, exportEncoding, missing] = await Promise.all([
      coo(['import', '-', '--encoding', 'latin1'], { input: USERS_CSV }),
      coo(['export', out, '--encoding', 'auto']),
      coo(['import', path.join(dir, 'nope.csv')]),
    ]);
    assert.equal(oneLine(encoding), 'coo: --encoding "latin1": expected auto, utf-8 or shift_jis');
    assert.equal(oneLine(exportEncoding), 'coo: --encoding "auto": expected utf-8 or shift_jis');
    assert.equal(oneLine(missing), `coo: cannot read ${path.join(dir, 'nope.csv')}: no such file`);
    for (const result of [encoding, exportEncoding, missing]) assert.equal(result.code, 1);
    assert.ok(!existsSync(out));
  });
});

describe('coo audit', { concurrency: true }, () => {
  const template = new DataDirTemplate();
  before(() => template.create());
  after(() => template.remove());

  test('audit verify reports an intact log with the number of entries', async () => {
    const coo = cooOn(template.copy());
    expectOk(await coo(['user', 'add', 'a@example.com', '--name', 'A']));
    const [verify, list] = await Promise.all([coo(['audit', 'verify']), coo(['audit', 'list', '--json'])]);
    expectOk(verify);
    const count = (JSON.parse(list.stdout) as unknown[]).length;
    assert.ok(count >= 3);
    assert.equal(verify.stdout, `audit log intact: ${count} entries\n`);
  });

  test('audit verify names a changed and a deleted entry and exits 1', async () => {
    const dir = template.copy();
    const coo = cooOn(dir);
    await Promise.all(['a', 'b', 'c'].map(async (name) => expectOk(await coo(['group', 'add', name]))));
    tamper(dir, "update audit_log set target = 'forged' where seq = 2; delete from audit_log where seq = 4;");
    const result = await coo(['audit', 'verify']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^missing: entry 4 was deleted$/m);
    assert.match(result.stdout, /^changed: entry 2 \(.*\) was changed$/m);
    assert.match(oneLine(result), /^coo: the audit log is damaged: 2 problems in \d+ entries$/);
  });

  test('audit list shows admin actions oldest first and filters by --actor, --action, --since and --limit', async () => {
    const coo = cooOn(template.copy());
    expectOk(await coo(['group', 'add', 'Ops']));
    expectOk(await coo(['org', 'add', 'Sales']));
    const [all, groups, limited, future, json] = await Promise.all([
      coo(['audit', 'list']),
      coo(['audit', 'list', '--action', 'group.', '--actor', 'cli']),
      coo(['audit', 'list', '--limit', '1']),
      coo(['audit', 'list', '--since', '2999-01-01']),
      coo(['audit', 'list', '--action', 'org.', '--json']),
    ]);
    expectOk(all);
    const rows = all.stdout.trimEnd().split('\n');
    assert.match(rows[0] ?? '', /^SEQ +TIME +ACTOR +ACTION +TARGET +OUTCOME +VIA +DETAILS$/);
    assert.match(
      rows.at(-2) ?? '',
      /^ *\d+ +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +cli +group\.create +Ops +success +cli$/,
    );
    assert.match(rows.at(-1) ?? '', /^ *\d+ +\S+ \S+ +cli +org\.create +Sales +success +cli$/);
    assert.deepEqual(
      groups.stdout
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((row) => row.trim().split(/ {2,}/)[3]),
      ['group.create'],
    );
    assert.equal(limited.stdout.trimEnd().split('\n').length, 2);
    assert.match(limited.stdout, /org\.create/);
    assert.equal(future.stdout, 'no matching audit entries\n');
    const entries = JSON.parse(json.stdout) as {
      action: string;
      target: string;
      actor: string;
      at: string;
    }[];
    assert.deepEqual(
      entries.map((e) => [e.actor, e.action, e.target]),
      [['cli', 'org.create', 'Sales']],
    );
    assert.match(entries[0]?.at ?? '', /^\d{4}-\d\d-\d\dT/);
  });

  test('audit list --limit 0 is one line and exit 1', async () => {
    const result = await runCoo(['audit', 'list', '--limit', '0', '--data', template.copy()]);
    assert.equal(result.code, 1);
    assert.equal(oneLine(result), 'coo: --limit "0" is not a whole number from 1');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { displayWidth } from '../src/cli/output.ts';
import { ADMIN, cooOn, DataDirTemplate, oneLine, runCoo, shownPassword, tryLogin } from './support/cli.ts';

/** The display column where each field of a table line starts (fields are 2+ spaces apart). */
function columnStarts(line: string): number[] {
  const starts: number[] = [];
  for (const match of line.matchAll(/(?:^|(?<= {2}))\S/g))
    starts.push(displayWidth(line.slice(0, match.index)));
  return starts;
}

function expectOk(result: { code: number | null; stderr: string }): void {
  assert.equal(result.code, 0, result.stderr);
}

describe('coo user', { concurrency: true }, () => {
  const template = new DataDirTemplate();
  before(() => template.create());
  after(() => template.remove());

  test('user add without --password-stdin prints a generated password once, and it logs in', async () => {
    const dir = template.copy();
    const result = await cooOn(dir)(['user', 'add', 'taro@example.com', '--name', 'Taro']);
    expectOk(result);
    assert.match(result.stdout, /^created user taro@example\.com$/m);
    assert.equal(await tryLogin(dir, 'taro@example.com', shownPassword(result.stdout)), 'ok');
  });

  test('user add --password-stdin takes the password from stdin and prints none', async () => {
    const dir = template.copy();
    const result = await cooOn(dir)(
      ['user', 'add', 'hana@example.com', '--name', 'Hana', '--password-stdin'],
      {
        input: 'hana has a long password\n',
      },
    );
    expectOk(result);
    assert.doesNotMatch(result.stdout, /Password/);
    assert.equal(await tryLogin(dir, 'hana', 'hana has a long password'), 'ok');
  });

  test('user add sets every field, and user show prints them as key: value lines with the groups', async () => {
    const coo = cooOn(template.copy());
    expectOk(await coo(['org', 'add', '営業部/東京', '--parents']));
    expectOk(await coo(['group', 'add', 'Project X']));
    expectOk(
      await coo([
        'user',
        'add',
        'Sato@Example.com',
        '--name',
        '佐藤 花子',
        '--reading',
        'さとう はなこ',
        '--unit',
        '営業部/東京',
        '--title',
        '課長',
        '--phone',
        '+81 3-1234-5678',
        '--quota',
        '500M',
        '--valid-until',
        '2030-03-31',
        '--admin',
      ]),
    );
    expectOk(await coo(['group', 'add-member', 'Project X', 'sato@example.com']));
    const show = await coo(['user', 'show', 'sato@example.com']);
    expectOk(show);
    const lines = show.stdout.trimEnd().split('\n');
    for (const expected of [
      'address:     sato@example.com',
      'name:        佐藤 花子',
      'reading:     さとう はなこ',
      'title:       課長',
      'phone:       +81 3-1234-5678',
      'unit:        営業部/東京',
      'state:       active',
      'admin:       yes',
      'valid from:  -',
      'valid until: 2030-03-31',
      'quota:       500M',
      'password:    set',
      'groups:      Project X',
    ]) {
      assert.ok(lines.includes(expected), `"${expected}" in\n${show.stdout}`);
    }
    const json = await coo(['user', 'show', 'sato', '--json']);
    expectOk(json);
    const user = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.deepEqual(
      {
        address: user.address,
        name: user.name,
        unit: user.unit,
        admin: user.admin,
        quotaBytes: user.quotaBytes,
        validUntil: user.validUntil,
        groups: user.groups,
      },
      {
        address: 'sato@example.com',
        name: '佐藤 花子',
        unit: '営業部/東京',
        admin: true,
        quotaBytes: 500 * 1024 * 1024,
        validUntil: '2030-03-31',
        groups: ['Project X'],
      },
    );
  });

  test('user list is an aligned table of address, name, unit, state and admin', async () => {
    const coo = cooOn(template.copy());
    expectOk(await coo(['org', 'add', 'Sales']));
    await Promise.all(
      [
        ['user', 'add', 'yamada@example.com', '--name', '山田 太郎', '--unit', 'Sales'],
        ['user', 'add', 'gone@example.com', '--name', 'Gone', '--valid-until', '2000-01-01'],
        ['user', 'add', 'off@example.com', '--name', 'Off'],
        ['user', 'add', 'later@example.com', '--name', 'Later', '--valid-from', '2099-01-01'],
      ].map(async (args) => expectOk(await coo(args))),
    );
    expectOk(await coo(['user', 'disable', 'off@example.com']));
    const list = await coo(['user', 'list']);
    expectOk(list);
    const lines = list.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'ADDRESS             NAME           UNIT   STATE          ADMIN');
    assert.deepEqual(
      lines.slice(1).map((line) => line.split(/ {2,}/)),
      [
        ['admin@example.com', 'Administrator', '-', 'active', 'yes'],
        ['gone@example.com', 'Gone', '-', 'expired', 'no'],
        ['later@example.com', 'Later', '-', 'not yet valid', 'no'],
        ['off@example.com', 'Off', '-', 'disabled', 'no'],
        ['yamada@example.com', '山田 太郎', 'Sales', 'active', 'no'],
      ],
    );
    const header = columnStarts(lines[0] ?? '');
    for (const line of lines) assert.deepEqual(columnStarts(line), header, `columns of "${line}" line up`);
  });

  test('--data may come before the command or the subcommand as well as after', async () => {
    const dir = template.copy();
    const [after, first, middle] = await Promise.all([
      runCoo(['user', 'list', '--data', dir]),
      runCoo(['--data', dir, 'user', 'list']),
      runCoo(['user', `--data=${dir}`, 'list']),
    ]);
    expectOk(after);
    assert.match(after.stdout, /^admin@example\.com /m);
    assert.equal(first.stdout, after.stdout);
    assert.equal(middle.stdout, after.stdout);
  });

  test('user list filters by --unit, --recursive and --search, and --json gives the same users', async () => {
    const coo = cooOn(template.copy());
    expectOk(await coo(['org', 'add', 'Sales/Tokyo', '--parents']));
    await Promise.all(
      [
        ['user', 'add', 'boss@example.com', '--name', 'Sales Boss', '--unit', 'Sales'],
        ['user', 'add', 'clerk@example.com', '--name', 'Tokyo Clerk', '--unit', 'Sales/Tokyo'],
      ].map(async (args) => expectOk(await coo(args))),
    );
    const addresses = (stdout: string) =>
      stdout
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((l) => l.split(' ')[0]);
    const [direct, recursive, search, json] = await Promise.all([
      coo(['user', 'list', '--unit', 'Sales']),
      coo(['user', 'list', '--unit', 'Sales', '--recursive']),
      coo(['user', 'list', '--search', 'tokyo']),
      coo(['user', 'list', '--unit', 'Sales', '--recursive', '--json']),
    ]);
    assert.deepEqual(addresses(direct.stdout), ['boss@example.com']);
    assert.deepEqual(addresses(recursive.stdout), ['boss@example.com', 'clerk@example.com']);
    assert.deepEqual(addresses(search.stdout), ['clerk@example.com']);
    const users = JSON.parse(json.stdout) as { address: string; unit: string; state: string }[];
    assert.deepEqual(
      users.map((u) => [u.address, u.unit, u.state]),
      [
        ['boss@example.com', 'Sales', 'active'],
        ['clerk@example.com', 'Sales/Tokyo', 'active'],
      ],
    );
  });

  test('user passwd replaces the password, from stdin or generated and shown once', async () => {
    const dir = template.copy();
    const coo = cooOn(dir);
    expectOk(
      await coo(['user', 'add', 'kim@example.com', '--name', 'Kim', '--password-stdin'], {
        input: 'first password 1',
      }),
    );
    expectOk(
      await coo(['user', 'passwd', 'kim@example.com', '--password-stdin'], { input: 'second password 2\n' }),
    );
    assert.equal(await tryLogin(dir, 'kim@example.com', 'first password 1'), 'AUTH_FAILED');
    assert.equal(await tryLogin(dir, 'kim@example.com', 'second password 2'), 'ok');
    const generated = await coo(['user', 'passwd', 'kim@example.com']);
    expectOk(generated);
    assert.equal(await tryLogin(dir, 'kim@example.com', shownPassword(generated.stdout)), 'ok');
  });

  test('user disable stops logins with the reason; user enable lets the user in again', async () => {
    const dir = template.copy();
    const coo = cooOn(dir);
    expectOk(
      await coo(['user', 'add', 'lee@example.com', '--name', 'Lee', '--password-stdin'], {
        input: 'lee password 123',
      }),
    );
    const disabled = await coo(['user', 'disable', 'lee@example.com']);
    assert.equal(disabled.stdout, 'disabled lee@example.com (now disabled)\n');
    assert.equal(await tryLogin(dir, 'lee@example.com', 'lee password 123'), 'AUTH_DISABLED');
    const enabled = await coo(['user', 'enable', 'lee']);
    assert.equal(enabled.stdout, 'enabled lee@example.com (now active)\n');
    assert.equal(await tryLogin(dir, 'lee@example.com', 'lee password 123'), 'ok');
  });

  test('user set changes only the given fields, and clears them with --no-unit, default and never', async () => {
    const coo = cooOn(template.copy());
    expectOk(await coo(['org', 'add', 'Dev']));
    expectOk(
      await coo(['user', 'add', 'mo@example.com', '--name', 'Mo', '--title', 'Engineer', '--unit', 'Dev']),
    );
    const show = async () => {
      const result = await coo(['user', 'show', 'mo@example.com', '--json']);
      expectOk(result);
      return JSON.parse(result.stdout) as Record<string, unknown>;
    };
    const set = await coo([
      'user',
      'set',
      'mo@example.com',
      '--name',
      'Mo Chen',
      '--reading',
      'モー',
      '--phone',
      '555-0100',
      '--quota',
      '2G',
      '--valid-from',
      '2020-01-01',
      '--valid-until',
      '2030-06-30',
      '--admin',
      'yes',
    ]);
    expectOk(set);
    assert.equal(set.stdout, 'updated mo@example.com\n');
    assert.deepEqual(
      (({ name, reading, title, phone, unit, quotaBytes, validFrom, validUntil, admin }) => ({
        name,
        reading,
        title,
        phone,
        unit,
        quotaBytes,
        validFrom,
        validUntil,
        admin,
      }))(await show()),
      {
        name: 'Mo Chen',
        reading: 'モー',
        title: 'Engineer',
        phone: '555-0100',
        unit: 'Dev',
        quotaBytes: 2 * 1024 ** 3,
        validFrom: '2020-01-01',
        validUntil: '2030-06-30',
        admin: true,
      },
    );
    expectOk(
      await coo([
        'user',
        'set',
        'mo@example.com',
        '--no-unit',
        '--quota',
        'unlimited',
        '--valid-until',
        'never',
        '--admin',
        'no',
      ]),
    );
    const cleared = await show();
    assert.deepEqual(
      [cleared.unit, cleared.quotaBytes, cleared.validUntil, cleared.admin],
      [null, 0, null, false],
    );
    expectOk(await coo(['user', 'set', 'mo@example.com', '--quota', 'default']));
    assert.equal((await show()).quotaBytes, null);
    const text = await coo(['user', 'show', 'mo@example.com']);
    assert.match(text.stdout, /^quota: +default \(2G\)$/m);
  });

  test('user set with nothing to change, or with --unit and --no-unit, is a usage error', async () => {
    const coo = cooOn(template.copy());
    const [nothing, both] = await Promise.all([
      coo(['user', 'set', ADMIN]),
      coo(['user', 'set', ADMIN, '--unit', 'X', '--no-unit']),
    ]);
    assert.equal(nothing.code, 2);
    assert.equal(
      nothing.stderr,
      'coo: user set: nothing to change; give at least one option such as --name or --quota\nsee coo user --help\n',
    );
    assert.equal(both.code, 2);
    assert.match(
      both.stderr,
      /^coo: user set: give either --unit PATH or --no-unit, not both\nsee coo user --help\n$/,
    );
  });

  test('the last administrator can be neither disabled nor demoted', async () => {
    const coo = cooOn(template.copy());
    const [disable, demote] = await Promise.all([
      coo(['user', 'disable', ADMIN]),
      coo(['user', 'set', ADMIN, '--admin', 'no']),
    ]);
    for (const result of [disable, demote]) {
      assert.equal(result.code, 1);
      assert.equal(oneLine(result), `coo: ${ADMIN} is the last administrator; make another one first`);
    }
    const show = await coo(['user', 'show', ADMIN]);
    assert.match(show.stdout, /^state: +active$/m);
    assert.match(show.stdout, /^admin: +yes$/m);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../src/config/loader.ts';
import { isCooError } from '../src/errors.ts';
import { openServices } from '../src/services.ts';
import { ADMIN, cooOn, DataDirTemplate, oneLine } from './support/cli.ts';

function expectOk(result: { code: number | null; stderr: string }): void {
  assert.equal(result.code, 0, result.stderr);
}

/** The code of the admin API's token check, or 'ok'. */
async function tokenCheck(dataDir: string, token: string): Promise<string> {
  const services = await openServices(loadConfig(dataDir));
  try {
    await services.tokens.authenticate(token);
    return 'ok';
  } catch (error) {
    if (isCooError(error)) return error.code;
    throw error;
  } finally {
    await services.close();
  }
}

describe('coo org, domain, group and token', { concurrency: true }, () => {
  const template = new DataDirTemplate();
  before(() => template.create());
  after(() => template.remove());

  test('org add, move, rename and remove edit the tree that org list shows with direct member counts', async () => {
    const coo = cooOn(template.copy());
    expectOk(await coo(['org', 'add', 'Sales/Tokyo', '--parents']));
    expectOk(await coo(['org', 'add', 'Sales/Osaka']));
    expectOk(await coo(['org', 'add', 'Engineering']));
    await Promise.all(
      [
        ['user', 'add', 'a@example.com', '--name', 'A', '--unit', 'Sales/Tokyo'],
        ['user', 'add', 'b@example.com', '--name', 'B', '--unit', 'Sales/Tokyo'],
        ['user', 'add', 'c@example.com', '--name', 'C', '--unit', 'Sales'],
      ].map(async (args) => expectOk(await coo(args))),
    );
    const list = await coo(['org', 'list']);
    expectOk(list);
    assert.equal(
      list.stdout,
      [
        'UNIT         MEMBERS',
        'Sales              1',
        '  Tokyo            2',
        '  Osaka            0',
        'Engineering        0',
        '',
      ].join('\n'),
    );

    const moved = await coo(['org', 'move', 'Sales/Osaka', '--to', 'Engineering']);
    assert.equal(moved.stdout, 'moved org unit Sales/Osaka to Engineering/Osaka\n');
    expectOk(await coo(['org', 'move', 'Engineering', '--to', '/', '--position', '0']));
    const renamed = await coo(['org', 'rename', 'Engineering/Osaka', 'Kansai']);
    assert.equal(renamed.stdout, 'renamed org unit Engineering/Osaka to Engineering/Kansai\n');
    expectOk(await coo(['org', 'remove', 'Engineering/Kansai']));

    const json = await coo(['org', 'list', '--json']);
    expectOk(json);
    assert.deepEqual(JSON.parse(json.stdout), [
      { name: 'Engineering', path: 'Engineering', members: 0, children: [] },
      {
        name: 'Sales',
        path: 'Sales',
        members: 1,
        children: [{ name: 'Tokyo', path: 'Sales/Tokyo', members: 2, children: [] }],
      },
    ]);
  });

  test('org remove refuses a unit that still has users or sub-units, naming what is left', async () => {
    const coo = cooOn(template.copy());
    expectOk(await coo(['org', 'add', 'Sales/Tokyo', '--parents']));
    expectOk(await coo(['user', 'add', 'a@example.com', '--name', 'A', '--unit', 'Sales/Tokyo']));
    const [parent, unit, cycle] = await Promise.all([
      coo(['org', 'remove', 'Sales']),
      coo(['org', 'remove', 'Sales/Tokyo']),
      coo(['org', 'move', 'Sales', '--to', 'Sales/Tokyo']),
    ]);
    assert.equal(oneLine(parent), 'coo: org unit "Sales" still has 1 sub-unit; move them first');
    assert.equal(oneLine(unit), 'coo: org unit "Sales/Tokyo" still has 1 user; move them first');
    assert.equal(oneLine(cycle), 'coo: cannot move "Sales" into itself ("Sales/Tokyo")');
    for (const result of [parent, unit, cycle]) assert.equal(result.code, 1);
    const list = await coo(['org', 'list']);
    assert.match(list.stdout, /^Sales +0\n {2}Tokyo +1$/m);
  });

  test('org move without --to is a usage error', async () => {
    const result = await cooOn(template.copy())(['org', 'move', 'Sales']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'coo: org move: missing --to\nsee coo org --help\n');
  });

  test('domain add, default, list and remove manage domains and aliases', async () => {
    const coo = cooOn(template.copy());
    expectOk(await coo(['domain', 'add', 'example.org']));
    const alias = await coo(['domain', 'add', 'example.jp', '--alias-of', 'example.com']);
    assert.equal(alias.stdout, 'added domain example.jp (alias of example.com)\n');
    expectOk(await coo(['domain', 'add', 'example.net', '--default']));
    const list = await coo(['domain', 'list']);
    expectOk(list);
    const rows = list.stdout.trimEnd().split('\n');
    assert.match(rows[0] ?? '', /^DOMAIN +DEFAULT +ALIAS OF +DKIM SELECTOR$/);
    assert.deepEqual(
      rows.slice(1).map((row) => row.split(/ {2,}/).slice(0, 3)),
      [
        ['example.com', 'no', '-'],
        ['example.jp', 'no', 'example.com'],
        ['example.net', 'yes', '-'],
        ['example.org', 'no', '-'],
      ],
    );
    // A user of the main domain is reachable through the alias.
    const show = await coo(['user', 'show', 'admin@example.jp']);
    assert.match(show.stdout, /^address: +admin@example\.com$/m);

    expectOk(await coo(['domain', 'default', 'example.com']));
    expectOk(await coo(['domain', 'remove', 'example.jp']));
    const busy = await coo(['domain', 'remove', 'example.com']);
    assert.equal(busy.code, 1);
    assert.match(oneLine(busy), /^coo: domain "example\.com" still has 1 users?; remove them first$/);
    const after = await coo(['domain', 'list']);
    assert.deepEqual(
      after.stdout
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((row) => row.split(/ {2,}/).slice(0, 2)),
      [
        ['example.com', 'yes'],
        ['example.net', 'no'],
        ['example.org', 'no'],
      ],
    );
  });

  test('group add, add-member, members, remove-member, list and remove', async () => {
    const coo = cooOn(template.copy());
    expectOk(await coo(['user', 'add', 'a@example.com', '--name', 'A']));
    expectOk(await coo(['group', 'add', 'Project X', '--description', 'the X project']));
    expectOk(await coo(['group', 'add', 'Ops']));
    expectOk(await coo(['group', 'add-member', 'Project X', 'a@example.com']));
    expectOk(await coo(['group', 'add-member', 'Project X', 'admin']));
    const [members, list] = await Promise.all([
      coo(['group', 'members', 'Project X']),
      coo(['group', 'list']),
    ]);
    assert.equal(members.stdout, 'a@example.com\nadmin@example.com\n');
    assert.equal(
      list.stdout,
      'GROUP      MEMBERS  DESCRIPTION\nOps              0\nProject X        2  the X project\n',
    );

    expectOk(await coo(['group', 'remove-member', 'Project X', 'a@example.com']));
    assert.equal((await coo(['group', 'members', 'Project X'])).stdout, 'admin@example.com\n');
    expectOk(await coo(['group', 'remove', 'Ops']));
    const [unknown, duplicate, final] = await Promise.all([
      coo(['group', 'members', 'Ops']),
      coo(['group', 'add', 'Project X']),
      coo(['group', 'list']),
    ]);
    assert.equal(oneLine(unknown), 'coo: unknown group "Ops"');
    assert.equal(oneLine(duplicate), 'coo: group "Project X" already exists');
    assert.doesNotMatch(final.stdout, /Ops/);
  });

  test('group rename keeps the members; group describe changes the description; clashes are refused', async () => {
    const coo = cooOn(template.copy());
    expectOk(await coo(['group', 'add', 'Sales']));
    expectOk(await coo(['group', 'add', 'Ops']));
    expectOk(await coo(['group', 'add-member', 'Sales', 'admin']));
    const renamed = await coo(['group', 'rename', 'Sales', '営業部']);
    expectOk(renamed);
    assert.equal(renamed.stdout, 'renamed group Sales to 営業部\n');
    expectOk(await coo(['group', 'describe', '営業部', 'the sales team']));
    assert.equal((await coo(['group', 'members', '営業部'])).stdout, 'admin@example.com\n');
    assert.match((await coo(['group', 'list'])).stdout, /営業部\s+1\s+the sales team/);
    const [clash, unknown] = await Promise.all([
      coo(['group', 'rename', '営業部', 'Ops']),
      coo(['group', 'rename', 'Sales', 'Other']),
    ]);
    assert.equal(oneLine(clash), 'coo: group "Ops" already exists');
    assert.equal(oneLine(unknown), 'coo: unknown group "Sales"');
  });

  test('token add shows the token once and it works for the API; token revoke ends it', async () => {
    const dir = template.copy();
    const coo = cooOn(dir);
    const added = await coo(['token', 'add', 'deploy', '--admin', ADMIN, '--expires', '2099-12-31']);
    expectOk(added);
    assert.match(
      added.stdout,
      /^created token 1 "deploy" acting as admin@example\.com \(expires 2099-12-31\)$/m,
    );
    const token = /^Token \(shown once\): (coo_\S+)$/m.exec(added.stdout)?.[1] ?? '';
    assert.equal(await tokenCheck(dir, token), 'ok');

    const list = await coo(['token', 'list']);
    const [header, row] = list.stdout.trimEnd().split('\n');
    assert.match(header ?? '', /^ID +NAME +ADMIN +STATE +CREATED +EXPIRES +LAST USED$/);
    assert.match(
      row ?? '',
      /^ 1 +deploy +admin@example\.com +active +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +2099-12-31 +\S/,
    );
    assert.ok(!list.stdout.includes(token), 'the token is never listed');

    assert.equal((await coo(['token', 'revoke', '1'])).stdout, 'revoked token 1\n');
    assert.equal(await tokenCheck(dir, token), 'AUTH_REQUIRED');
    assert.match((await coo(['token', 'list'])).stdout, /^ 1 +deploy +admin@example\.com +revoked/m);
    const [again, notAdmin, badId] = await Promise.all([
      coo(['token', 'revoke', '1']),
      coo(['token', 'add', 'x', '--admin', 'nobody@example.com']),
      coo(['token', 'revoke', 'one']),
    ]);
    assert.equal(oneLine(again), 'coo: no active token with id 1');
    assert.equal(oneLine(notAdmin), 'coo: unknown user nobody@example.com');
    assert.equal(oneLine(badId), 'coo: token ID "one" is not a whole number from 1');
  });
});

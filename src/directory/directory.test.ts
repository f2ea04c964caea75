import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../protocol/errors.ts';
import { describeOnEachDatabase } from '../../test/support/stores.ts';
import { servicesOver } from '../../test/support/services.ts';
import { CLI_ACTOR } from './types.ts';

function rejectsWith(code: string, pattern?: RegExp) {
  return (error: unknown) => {
    assert.equal((error as { code?: string }).code, code, String(error));
    if (pattern) assert.match((error as Error).message, pattern);
    return true;
  };
}

describeOnEachDatabase('directory', (context) => {
  const services = () => servicesOver(context.store);

  test('the first domain becomes the default; logins resolve bare names and alias domains', async () => {
    const { directory } = services();
    await directory.domains.add('Example.COM', CLI_ACTOR);
    await directory.domains.add('example.jp', CLI_ACTOR, { aliasOf: 'example.com' });
    const list = await directory.domains.list();
    assert.deepEqual(
      list.map((d) => [d.name, d.aliasOf, d.isDefault, d.dkimSelector !== null]),
      [
        ['example.com', null, true, true],
        ['example.jp', 'example.com', false, false],
      ],
    );
    assert.equal((await directory.domains.resolveLogin('Alice')).address, 'alice@example.com');
    assert.equal((await directory.domains.resolveLogin('alice@EXAMPLE.jp')).address, 'alice@example.com');
    await assert.rejects(
      directory.domains.add('example.com', CLI_ACTOR),
      rejectsWith(ErrorCode.DOMAIN_EXISTS),
    );
    await assert.rejects(
      directory.domains.add('bad_domain!', CLI_ACTOR),
      rejectsWith(ErrorCode.INVALID_ADDRESS),
    );
    assert.ok(await directory.domains.dkimKey('example.jp'), 'an alias signs with its main domain key');
  });

  test('org units form an ordered tree; moves, renames and removals keep it whole', async () => {
    const { directory } = services();
    const org = directory.org;
    await org.add('営業部', CLI_ACTOR);
    await org.add('営業部/東京', CLI_ACTOR);
    await org.add('営業部/大阪', CLI_ACTOR);
    await org.add('Engineering/Platform/Storage', CLI_ACTOR, { createParents: true });
    await assert.rejects(org.add('Nope/Child', CLI_ACTOR), rejectsWith(ErrorCode.UNIT_UNKNOWN, /"Nope"/));
    await assert.rejects(org.add('営業部/東京', CLI_ACTOR), rejectsWith(ErrorCode.UNIT_EXISTS));
    await assert.rejects(org.add('a//b', CLI_ACTOR), rejectsWith(ErrorCode.INVALID_INPUT));

    await org.move('営業部/大阪', '営業部', CLI_ACTOR, 0);
    let tree = await org.list();
    const sales = tree.find((u) => u.name === '営業部');
    assert.deepEqual(
      sales?.children.map((c) => c.name),
      ['大阪', '東京'],
    );

    await assert.rejects(
      org.move('Engineering', 'Engineering/Platform', CLI_ACTOR),
      rejectsWith(ErrorCode.UNIT_CYCLE),
    );
    assert.equal(await org.move('Engineering/Platform', null, CLI_ACTOR), 'Platform');
    assert.equal(await org.rename('Platform', 'Infrastructure', CLI_ACTOR), 'Infrastructure');
    tree = await org.list();
    assert.ok(
      tree.some((u) => u.path === 'Infrastructure' && u.children[0]?.path === 'Infrastructure/Storage'),
    );
    await assert.rejects(
      org.rename('Infrastructure', '営業部', CLI_ACTOR),
      rejectsWith(ErrorCode.UNIT_EXISTS),
    );
    await assert.rejects(
      org.remove('Infrastructure', CLI_ACTOR),
      rejectsWith(ErrorCode.UNIT_NOT_EMPTY, /1 sub-unit/),
    );
    await org.remove('Infrastructure/Storage', CLI_ACTOR);
    await org.remove('Infrastructure', CLI_ACTOR);
    assert.ok(!(await org.list()).some((u) => u.name === 'Infrastructure'));
  });

  test('users are created, found by login, listed by unit and searched in Japanese', async () => {
    const { directory } = services();
    await directory.domains.add('users.example', CLI_ACTOR);
    await directory.org.add('開発部/基盤', CLI_ACTOR, { createParents: true });
    const created = await directory.users.create(
      'Taro.Yamada@users.example',
      {
        displayName: '山田 太郎',
        nameReading: 'やまだ たろう',
        title: '課長',
        phone: '+81 3-1234-5678',
        unit: '開発部/基盤',
      },
      CLI_ACTOR,
      { password: 'correct horse battery' },
    );
    assert.equal(created.address, 'taro.yamada@users.example');
    assert.equal(created.unit, '開発部/基盤');
    assert.equal(created.hasPassword, true);

    await assert.rejects(
      directory.users.create('taro.yamada@users.example', { displayName: 'x' }, CLI_ACTOR),
      rejectsWith(ErrorCode.USER_EXISTS, /already exists/),
    );
    await assert.rejects(
      directory.users.create('bob@users.example', { displayName: 'Bob', unit: '開発部/無い' }, CLI_ACTOR),
      rejectsWith(ErrorCode.UNIT_UNKNOWN, /開発部\/無い/),
    );
    await assert.rejects(
      directory.users.create('not an address', { displayName: 'x' }, CLI_ACTOR),
      rejectsWith(ErrorCode.INVALID_ADDRESS),
    );
    await assert.rejects(
      directory.users.create('bob@elsewhere.example', { displayName: 'Bob' }, CLI_ACTOR),
      rejectsWith(ErrorCode.DOMAIN_UNKNOWN, /elsewhere\.example/),
    );
    await assert.rejects(
      directory.users.create('bob@users.example', { displayName: 'Bob', phone: 'call me' }, CLI_ACTOR),
      rejectsWith(ErrorCode.INVALID_INPUT, /phone/),
    );
    await directory.users.create(
      'hanako@users.example',
      { displayName: 'Hanako Sato', unit: '開発部' },
      CLI_ACTOR,
    );

    assert.equal((await directory.users.get('Taro.Yamada@users.example')).displayName, '山田 太郎');
    assert.deepEqual(
      (await directory.users.list({ unit: '開発部', recursive: true })).map((u) => u.address),
      ['hanako@users.example', 'taro.yamada@users.example'],
    );
    assert.deepEqual(
      (await directory.users.list({ unit: '開発部' })).map((u) => u.address),
      ['hanako@users.example'],
    );
    assert.deepEqual(
      (await directory.users.list({ text: 'やまだ' })).map((u) => u.address),
      ['taro.yamada@users.example'],
    );
    assert.deepEqual(
      (await directory.users.list({ text: 'SATO' })).map((u) => u.address),
      ['hanako@users.example'],
    );
  });

  test('updates change only the given fields, and the last administrator cannot be removed', async () => {
    const { directory } = services();
    await directory.domains.add('admins.example', CLI_ACTOR);
    await directory.users.create('root@admins.example', { displayName: 'Root', isAdmin: true }, CLI_ACTOR);
    await directory.users.create('ops@admins.example', { displayName: 'Ops' }, CLI_ACTOR);
    const updated = await directory.users.update(
      'ops@admins.example',
      { title: 'Operator', quotaBytes: 1024 ** 3, validUntil: Date.UTC(2099, 0, 1) },
      CLI_ACTOR,
    );
    assert.equal(updated.title, 'Operator');
    assert.equal(updated.displayName, 'Ops');
    assert.equal(updated.quotaBytes, 1024 ** 3);

    // Another domain's admins exist in this shared database, so demote those of this test only.
    const admins = (await directory.users.list()).filter(
      (u) => u.isAdmin && u.address !== 'root@admins.example',
    );
    for (const admin of admins) await directory.users.update(admin.address, { isAdmin: false }, CLI_ACTOR);
    await assert.rejects(
      directory.users.setDisabled('root@admins.example', true, CLI_ACTOR),
      rejectsWith(ErrorCode.LAST_ADMIN, /last administrator/),
    );
    await assert.rejects(
      directory.users.update('root@admins.example', { isAdmin: false }, CLI_ACTOR),
      rejectsWith(ErrorCode.LAST_ADMIN),
    );
    await directory.users.update('ops@admins.example', { isAdmin: true }, CLI_ACTOR);
    const disabled = await directory.users.setDisabled('root@admins.example', true, CLI_ACTOR);
    assert.equal(disabled.disabled, true);
    await assert.rejects(
      directory.users.update('ops@admins.example', { validFrom: Date.UTC(2100, 0, 1) }, CLI_ACTOR),
      rejectsWith(ErrorCode.INVALID_INPUT, /valid-from is after valid-until/),
    );
  });

  test('groups hold members across units', async () => {
    const { directory } = services();
    await directory.domains.add('groups.example', CLI_ACTOR);
    await directory.users.create('a@groups.example', { displayName: 'A' }, CLI_ACTOR);
    await directory.groups.add('Project X', 'the secret one', CLI_ACTOR);
    await assert.rejects(
      directory.groups.add('Project X', '', CLI_ACTOR),
      rejectsWith(ErrorCode.GROUP_EXISTS),
    );
    await directory.groups.addMember('Project X', 'a@groups.example', CLI_ACTOR);
    await directory.groups.addMember('Project X', 'a@groups.example', CLI_ACTOR);
    assert.deepEqual(await directory.groups.members('Project X'), ['a@groups.example']);
    assert.deepEqual(await directory.groups.groupsOf('a@groups.example'), ['Project X']);
    await assert.rejects(
      directory.groups.addMember('Nope', 'a@groups.example', CLI_ACTOR),
      rejectsWith(ErrorCode.GROUP_UNKNOWN),
    );
    await directory.groups.removeMember('Project X', 'a@groups.example', CLI_ACTOR);
    assert.deepEqual(await directory.groups.members('Project X'), []);
    await directory.groups.remove('Project X', CLI_ACTOR);
    assert.ok(!(await directory.groups.list()).some((g) => g.name === 'Project X'));
  });

  test('every change is in the audit log with its actor, and the chain verifies', async () => {
    const { directory, audit } = services();
    await directory.domains.add('audited.example', CLI_ACTOR);
    await directory.users.create(
      'x@audited.example',
      { displayName: 'X' },
      { name: 'boss@audited.example', protocol: 'http', remote: '192.0.2.7' },
    );
    const [entry] = await audit.query({ target: 'x@audited.example' });
    assert.equal(entry?.action, 'user.create');
    assert.equal(entry?.actor, 'boss@audited.example');
    assert.equal(entry?.remote, '192.0.2.7');
    assert.equal((await audit.verify()).ok, true);
  });
});

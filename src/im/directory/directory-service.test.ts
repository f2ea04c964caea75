import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MemoryBus } from '../../bus/index.ts';
import { CLI_ACTOR } from '../../directory/types.ts';
import type { DirectoryUnit } from '../../protocol/im/directory.ts';
import { ManualTimers } from '../../../test/support/manual-timers.ts';
import { RecordingConnection } from '../../../test/support/recording-connection.ts';
import { servicesOver } from '../../../test/support/services.ts';
import { allowAll, hideFrom } from '../../../test/support/simple-policies.ts';
import { describeOnEachDatabase } from '../../../test/support/stores.ts';
import { PresenceService } from '../presence/presence-service.ts';
import { DirectoryService, type DirectoryPolicy } from './directory-service.ts';

const PEOPLE = [
  // address, name, reading, title, phone, unit
  ['yamada', '山田 太郎', 'やまだ たろう', '部長', '03-1234-5678', '営業部/東京'],
  ['tanaka', '田中 花子', 'タナカ ハナコ', '営業', '03-1234-9999', '営業部/東京'],
  ['suzuki', '鈴木 一郎', 'すずき いちろう', '', '', '営業部/大阪'],
  ['alice', 'Alice Smith', '', 'Software Engineer', '+81 90 1111 2222', 'Engineering'],
  ['bob', 'Bob Jones', '', 'Engineer', '', 'Engineering'],
  ['agent', '秘密 エージェント', 'ひみつ', 'Agent', '', '秘密'],
  ['freelancer', 'Frank Free', '', '', '', null],
] as const;

describeOnEachDatabase('messenger directory', (context) => {
  const ids = new Map<string, number>();
  const units = new Map<string, number>();
  let presence: PresenceService;
  const id = (name: string) => ids.get(name) ?? assert.fail(`no user ${name}`);
  const unitId = (path: string) => units.get(path) ?? assert.fail(`no unit ${path}`);

  function directory(policy: DirectoryPolicy = allowAll) {
    const services = servicesOver(context.store);
    return new DirectoryService({ store: context.store, directory: services.directory, policy, presence });
  }

  before(async () => {
    const { directory: dir } = servicesOver(context.store);
    await dir.domains.add('example.com', CLI_ACTOR);
    for (const path of ['営業部/東京', '営業部/大阪', 'Engineering', '秘密']) {
      await dir.org.add(path, CLI_ACTOR, { createParents: true });
    }
    const tree = await dir.org.loadTree();
    for (const path of ['営業部', '営業部/東京', '営業部/大阪', 'Engineering', '秘密']) {
      units.set(path, tree.require(path).id);
    }
    for (const [local, displayName, nameReading, title, phone, unit] of PEOPLE) {
      const user = await dir.users.create(
        `${local}@example.com`,
        { displayName, nameReading, title, phone, unit },
        CLI_ACTOR,
      );
      ids.set(local, user.id);
    }
    await dir.users.setDisabled('bob@example.com', true, CLI_ACTOR);

    presence = new PresenceService({
      bus: new MemoryBus(),
      policy: allowAll,
      nodeId: 't',
      timers: new ManualTimers(),
    });
    await presence.start();
    const yamada = new RecordingConnection(id('yamada'), 1);
    await presence.opened(yamada);
    presence.set(yamada.session, 'busy', '来客中');
    await presence.opened(new RecordingConnection(id('alice'), 2));
  });

  after(async () => {
    await presence.close();
  });

  test('the tree counts visible, usable members and those online, per unit and below', async () => {
    const { units: tree } = await directory().tree(id('alice'));
    const byName = (list: DirectoryUnit[], name: string) =>
      list.find((unit) => unit.name === name) ?? assert.fail(`no unit ${name}`);
    assert.deepEqual(
      tree.map((unit) => unit.name),
      ['営業部', 'Engineering', '秘密'],
    );
    const sales = byName(tree, '営業部');
    assert.deepEqual([sales.members, sales.online, sales.totalMembers, sales.totalOnline], [0, 0, 3, 1]);
    const tokyo = byName(sales.children, '東京');
    assert.deepEqual([tokyo.id, tokyo.members, tokyo.online], [unitId('営業部/東京'), 2, 1]);
    const engineering = byName(tree, 'Engineering');
    assert.deepEqual([engineering.members, engineering.online], [1, 1], 'disabled Bob is not counted');
  });

  test('a hidden unit and hidden people are left out of the tree', async () => {
    const policy = hideFrom(id('alice'), [id('yamada'), id('agent')], [unitId('秘密')]);
    const { units: tree } = await directory(policy).tree(id('alice'));
    assert.deepEqual(
      tree.map((unit) => unit.name),
      ['営業部', 'Engineering'],
    );
    const tokyo = tree[0]?.children.find((unit) => unit.name === '東京');
    assert.deepEqual([tokyo?.members, tokyo?.online], [1, 0], 'Yamada is neither counted nor online');
    // Another viewer still sees everything.
    assert.equal((await directory(policy).tree(id('suzuki'))).units.length, 3);
  });

  test('a unit page lists members in reading order with their presence, and pages', async () => {
    const service = directory();
    const page = await service.unit(id('suzuki'), unitId('営業部/東京'), 0, 100);
    assert.deepEqual(page.unit, { id: unitId('営業部/東京'), name: '東京', path: '営業部/東京' });
    assert.equal(page.total, 2);
    assert.deepEqual(
      page.members.map((member) => [member.name, member.state, member.text]),
      [
        ['田中 花子', 'offline', ''],
        ['山田 太郎', 'busy', '来客中'],
      ],
    );
    assert.deepEqual(page.members[1], {
      id: id('yamada'),
      address: 'yamada@example.com',
      name: '山田 太郎',
      reading: 'やまだ たろう',
      title: '部長',
      phone: '03-1234-5678',
      unitId: unitId('営業部/東京'),
      state: 'busy',
      text: '来客中',
    });
    const second = await service.unit(id('suzuki'), unitId('営業部/東京'), 1, 1);
    assert.deepEqual(
      [second.total, second.offset, second.members.map((member) => member.name)],
      [2, 1, ['山田 太郎']],
    );
  });

  test('a unit page leaves out hidden people; a hidden or missing unit is unknown', async () => {
    const policy = hideFrom(id('alice'), [id('tanaka')], [unitId('秘密')]);
    const page = await directory(policy).unit(id('alice'), unitId('営業部/東京'), 0, 100);
    assert.deepEqual([page.total, page.members.map((member) => member.name)], [1, ['山田 太郎']]);
    await assert.rejects(directory(policy).unit(id('alice'), unitId('秘密'), 0, 10), {
      code: 'UNIT_UNKNOWN',
    });
    await assert.rejects(directory().unit(id('alice'), 999_999, 0, 10), { code: 'UNIT_UNKNOWN' });
  });

  test('search matches kana either way, full- and half-width forms, Latin in any case, titles, phones and addresses', async () => {
    const service = directory();
    const names = async (query: string) =>
      (await service.search(id('alice'), query, 20)).map((person) => person.address.split('@')[0]);
    assert.deepEqual(await names('やまだ'), ['yamada']);
    assert.deepEqual(await names('ヤマダ'), ['yamada'], 'katakana finds a hiragana reading');
    assert.deepEqual(await names('たなか'), ['tanaka'], 'hiragana finds a katakana reading');
    assert.deepEqual(await names('ﾀﾅｶ'), ['tanaka'], 'half-width katakana');
    assert.deepEqual(await names('山田太郎'), ['yamada'], 'spaces do not matter');
    assert.deepEqual(await names('ALICE'), ['alice']);
    assert.deepEqual(await names('ａｌｉｃｅ'), ['alice'], 'full-width Latin');
    assert.deepEqual(await names('engineer'), ['alice'], 'by title; disabled Bob is not found');
    assert.deepEqual(await names('部長'), ['yamada']);
    assert.deepEqual(await names('1234'), ['tanaka', 'yamada'], 'by phone, in reading order');
    assert.deepEqual(await names('0312345678'), ['yamada'], 'phone digits without separators');
    assert.deepEqual(await names('1111-2222'), ['alice']);
    assert.deepEqual(await names('suzuki@'), ['suzuki'], 'by address');
    assert.deepEqual(await names('zzz'), []);
    assert.equal((await service.search(id('alice'), 'example.com', 2)).length, 2, 'the limit holds');
  });

  test('search puts people whose name begins with the query first', async () => {
    const found = (await directory().search(id('alice'), 'a', 20)).map((person) => person.address);
    assert.deepEqual(found.slice(0, 2).sort(), ['agent@example.com', 'alice@example.com']);
    assert.ok(found.includes('yamada@example.com'), 'then those with the query inside');
  });

  test('search leaves out hidden people', async () => {
    const policy = hideFrom(id('alice'), [id('yamada')]);
    assert.deepEqual(await directory(policy).search(id('alice'), 'やまだ', 20), []);
    assert.equal((await directory(policy).search(id('suzuki'), 'やまだ', 20)).length, 1);
  });

  test('a profile card by id or address; hidden, disabled and unknown people are all unknown', async () => {
    const service = directory();
    const card = await service.profile(id('alice'), { address: 'yamada' });
    assert.deepEqual(card, {
      id: id('yamada'),
      address: 'yamada@example.com',
      name: '山田 太郎',
      reading: 'やまだ たろう',
      title: '部長',
      phone: '03-1234-5678',
      unitId: unitId('営業部/東京'),
      unitPath: '営業部/東京',
      state: 'busy',
      text: '来客中',
    });
    assert.deepEqual(await service.profile(id('alice'), { userId: id('yamada') }), card);
    assert.equal((await service.profile(id('alice'), { userId: id('freelancer') })).unitPath, null);
    const policy = hideFrom(id('alice'), [id('yamada')]);
    for (const [viewerService, target] of [
      [directory(policy), { userId: id('yamada') }],
      [directory(policy), { address: 'yamada@example.com' }],
      [service, { userId: id('bob') }],
      [service, { userId: 999_999 }],
      [service, { address: 'nobody@example.com' }],
      [service, { address: 'not an address' }],
    ] as const) {
      await assert.rejects(viewerService.profile(id('alice'), target), { code: 'USER_UNKNOWN' });
    }
  });

  test('a change to a user shows in the next answer', async () => {
    const service = directory();
    assert.deepEqual(await service.search(id('alice'), '課長', 20), []);
    await servicesOver(context.store).directory.users.update(
      'suzuki@example.com',
      { title: '課長' },
      CLI_ACTOR,
    );
    assert.deepEqual(
      (await service.search(id('alice'), '課長', 20)).map((person) => person.address),
      ['suzuki@example.com'],
    );
  });
});

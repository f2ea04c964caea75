import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type {
  DirectoryProfile,
  DirectorySearchResult,
  DirectoryTree,
  DirectoryUnit,
  DirectoryUnitPage,
} from '../src/protocol/im/directory.ts';
import { CLI_ACTOR } from '../src/directory/types.ts';
import { createVisibilityPolicy } from '../src/directory/visibility/index.ts';
import { ImTestClient, startImServer, type ImTestServer, type TestUser } from './support/im-server.ts';

describe('the directory over the messenger protocol', () => {
  let server: ImTestServer;
  const users: Record<string, TestUser> = {};
  const clients: ImTestClient[] = [];
  let tokyo: number;

  async function login(user: TestUser) {
    const client = await ImTestClient.connect(server);
    clients.push(client);
    await client.hello(user.address, user.password);
    return client;
  }

  before(async () => {
    server = await startImServer({ messenger: { presence: { flushMs: 100 } } });
    tokyo = (await server.createUnit('営業部/東京')).id;
    await server.createUnit('営業部/大阪');
    const people = [
      [
        'yamada',
        {
          name: '山田 太郎',
          reading: 'やまだ たろう',
          title: '部長',
          phone: '03-1234-5678',
          unit: '営業部/東京',
        },
      ],
      ['tanaka', { name: '田中 花子', reading: 'タナカ ハナコ', title: '営業', unit: '営業部/東京' }],
      ['suzuki', { name: '鈴木 一郎', reading: 'すずき いちろう', unit: '営業部/大阪' }],
      ['alice', { name: 'Alice Smith', title: 'Software Engineer', unit: 'Engineering' }],
      ['agent', { name: 'Secret Agent', reading: 'ひみつ', unit: '秘密' }],
    ] as const;
    for (const [local, options] of people) users[local] = await server.createUser(local, options);
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.stop();
  });

  it('directory.tree: units with member and online counts', async () => {
    const alice = await login(users.alice ?? assert.fail());
    await login(users.yamada ?? assert.fail());
    const { units } = (await alice.request('directory.tree')) as DirectoryTree;
    const find = (list: DirectoryUnit[], name: string) => list.find((unit) => unit.name === name);
    const sales = find(units, '営業部');
    assert.ok(find(units, '秘密'), 'not hidden yet');
    assert.deepEqual([sales?.members, sales?.totalMembers, sales?.totalOnline], [0, 3, 1]);
    assert.deepEqual(find(sales?.children ?? [], '東京'), {
      id: tokyo,
      name: '東京',
      members: 2,
      online: 1,
      totalMembers: 2,
      totalOnline: 1,
      children: [],
    });
    assert.deepEqual([find(units, 'Engineering')?.members, find(units, 'Engineering')?.online], [1, 1]);
  });

  it('directory.unit: members with presence, and watch: true subscribes to their changes', async () => {
    const alice = await login(users.alice ?? assert.fail());
    const tanaka = await login(users.tanaka ?? assert.fail());
    const page = (await alice.request('directory.unit', { unitId: tokyo, watch: true })) as DirectoryUnitPage;
    assert.deepEqual(page.unit, { id: tokyo, name: '東京', path: '営業部/東京' });
    assert.deepEqual(
      page.members.map((member) => [member.name, member.state]),
      [
        ['田中 花子', 'online'],
        ['山田 太郎', 'online'],
      ],
    );
    await tanaka.request('presence.set', { state: 'out', text: '外出中' });
    assert.deepEqual((await alice.next('presence')).u, [[users.tanaka?.id, 'out', '外出中']]);

    const second = (await alice.request('directory.unit', {
      unitId: tokyo,
      offset: 1,
      limit: 1,
    })) as DirectoryUnitPage;
    assert.deepEqual([second.total, second.members.map((member) => member.name)], [2, ['山田 太郎']]);
  });

  it('directory.search: kana either way, Latin, titles and phones', async () => {
    const alice = await login(users.alice ?? assert.fail());
    const search = async (query: string) =>
      ((await alice.request('directory.search', { query })) as DirectorySearchResult).people.map(
        (person) => person.name,
      );
    assert.deepEqual(await search('ヤマダ'), ['山田 太郎']);
    assert.deepEqual(await search('たなか'), ['田中 花子']);
    assert.deepEqual(await search('ｽｽﾞｷ'), ['鈴木 一郎']);
    assert.deepEqual(await search('smith'), ['Alice Smith']);
    assert.deepEqual(await search('engineer'), ['Alice Smith']);
    assert.deepEqual(await search('0312345678'), ['山田 太郎']);
    assert.deepEqual(await search('nobody'), []);
  });

  it('directory.profile: the card by id or address', async () => {
    const alice = await login(users.alice ?? assert.fail());
    const card = (await alice.request('directory.profile', {
      address: 'yamada@example.com',
    })) as DirectoryProfile;
    assert.deepEqual(
      [card.id, card.name, card.reading, card.title, card.phone, card.unitPath, card.address],
      [
        users.yamada?.id,
        '山田 太郎',
        'やまだ たろう',
        '部長',
        '03-1234-5678',
        '営業部/東京',
        'yamada@example.com',
      ],
    );
    assert.ok(['online', 'offline'].includes(card.state));
    assert.deepEqual(await alice.request('directory.profile', { userId: users.yamada?.id }), card);
  });

  it('a unit the admins hide disappears from the tree, search, profiles, unit pages and presence', async () => {
    const agent = users.agent ?? assert.fail();
    const secret = (await server.createUnit('秘密')).id;
    await createVisibilityPolicy(server.services).admin.hide('秘密', CLI_ACTOR);
    const alice = await login(users.alice ?? assert.fail());
    // The server's policy reloads its facts within seconds of a change by another process.
    const deadline = Date.now() + 15_000;
    const hidden = async () =>
      !((await alice.request('directory.tree')) as DirectoryTree).units.some((unit) => unit.name === '秘密');
    while (!(await hidden())) {
      assert.ok(Date.now() < deadline, 'the hidden unit is still in the tree after 15 s');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.deepEqual(await alice.request('directory.search', { query: 'ひみつ' }), { people: [] });
    await assert.rejects(alice.request('directory.profile', { userId: agent.id }), { code: 'USER_UNKNOWN' });
    await assert.rejects(alice.request('directory.unit', { unitId: secret }), { code: 'UNIT_UNKNOWN' });
    assert.deepEqual(await alice.request('presence.watch', { users: [agent.id] }), { users: [] });
  });

  it('bad directory frames get IM_BAD_FRAME, unknown units and people their own codes', async () => {
    const alice = await login(users.alice ?? assert.fail());
    const code = (t: string, payload: Record<string, unknown>) =>
      alice.request(t, payload).then(
        () => 'ok',
        (error: { code?: string }) => error.code,
      );
    assert.equal(await code('directory.unit', { unitId: 'tokyo' }), 'IM_BAD_FRAME');
    assert.equal(await code('directory.unit', { unitId: tokyo, limit: 1000 }), 'IM_BAD_FRAME');
    assert.equal(await code('directory.unit', { unitId: tokyo, offset: -1 }), 'IM_BAD_FRAME');
    assert.equal(await code('directory.search', { query: '   ' }), 'IM_BAD_FRAME');
    assert.equal(await code('directory.search', { query: 'x'.repeat(101) }), 'IM_BAD_FRAME');
    assert.equal(await code('directory.search', { query: 'a', limit: 0 }), 'IM_BAD_FRAME');
    assert.equal(await code('directory.profile', {}), 'IM_BAD_FRAME');
    assert.equal(await code('directory.profile', { userId: -3 }), 'IM_BAD_FRAME');
    assert.equal(await code('directory.unit', { unitId: 999_999 }), 'UNIT_UNKNOWN');
    assert.equal(await code('directory.profile', { userId: 999_999 }), 'USER_UNKNOWN');
    assert.equal(await code('directory.profile', { address: 'nobody@example.com' }), 'USER_UNKNOWN');
    assert.ok(alice.isOpen);
  });
});

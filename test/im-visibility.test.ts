import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DirectoryTree, DirectoryUnit } from '../src/protocol/im/directory.ts';
import { ImTestClient, startImServer, type ImRequestError, type ImTestServer } from './support/im-server.ts';

function rejectsWith(code: string) {
  return (error: ImRequestError) => {
    assert.equal(error.code, code, error.message);
    return true;
  };
}

function unitNames(units: DirectoryUnit[]): string[] {
  return units.flatMap((unit) => [unit.name, ...unitNames(unit.children)]);
}

/**
 * One rule, every entry point: an admin forbids Sales to see Research and
 * hides the Board; a salesperson then tries each way the messenger offers to
 * find, watch, chat with or write to those people, and each one refuses or
 * leaves them out — while a colleague the rules allow stays reachable.
 */
describe('visibility rules at every messenger entry point', () => {
  let server: ImTestServer;
  let sales: ImTestClient;
  let seller: { id: number; address: string };
  let researcher: { id: number; address: string };
  let director: { id: number; address: string };
  let colleague: { id: number; address: string };
  let researchUnitId: number;

  before(async () => {
    server = await startImServer();
    seller = await server.createUser('seller', { name: 'Seller Sato', unit: 'Sales' });
    colleague = await server.createUser('colleague', { name: 'Colleague Kato', unit: 'Sales' });
    researcher = await server.createUser('researcher', { name: 'Researcher Ito', unit: 'Research' });
    director = await server.createUser('director', { name: 'Director Mori', unit: 'Board' });
    researchUnitId = (await server.createUnit('Research')).id;

    const rule = await server.call('POST', '/api/v1/rules', {
      body: {
        subject: { kind: 'unit', path: 'Sales' },
        object: { kind: 'unit', path: 'Research' },
        permission: 'see',
        effect: 'deny',
      },
    });
    assert.equal(rule.status, 201, rule.text);
    const hidden = await server.call('POST', '/api/v1/org/units/hide', { body: { path: 'Board' } });
    assert.equal(hidden.status, 200, hidden.text);

    sales = await ImTestClient.connect(server);
    await sales.hello(seller.address, (seller as { password?: string }).password ?? '', {});
  });

  after(async () => {
    await sales.close();
    await server.stop();
  });

  test('the REST check explains the decision the messenger applies', async () => {
    const query = (b: string) =>
      `/api/v1/rules/check?a=${encodeURIComponent(seller.address)}&b=${encodeURIComponent(b)}`;
    const denied = await server.call('GET', query(researcher.address));
    assert.equal(denied.status, 200, denied.text);
    assert.equal(denied.json.see, false);
    assert.equal(denied.json.message, false);
    const allowed = await server.call('GET', query(colleague.address));
    assert.equal(allowed.json.see, true);
    assert.equal(allowed.json.message, true);
  });

  test('directory tree: the hidden unit is left out', async () => {
    const tree = (await sales.request('directory.tree')) as DirectoryTree;
    const names = unitNames(tree.units);
    assert.ok(names.includes('Sales'));
    assert.ok(!names.includes('Board'), `Board must be hidden, got ${names.join(', ')}`);
  });

  test('directory unit: the denied unit lists nobody', async () => {
    const page = (await sales.request('directory.unit', { unitId: researchUnitId })) as {
      members: { id: number }[];
    };
    assert.ok(!page.members.some((m) => m.id === researcher.id));
  });

  test('directory search and profile: denied and hidden people are not found', async () => {
    for (const query of ['Researcher', 'Director']) {
      const result = (await sales.request('directory.search', { query })) as { people: { id: number }[] };
      assert.deepEqual(result.people, [], `search ${query}`);
    }
    const found = (await sales.request('directory.search', { query: 'Colleague' })) as {
      people: { id: number }[];
    };
    assert.deepEqual(
      found.people.map((p) => p.id),
      [colleague.id],
    );
    await assert.rejects(
      sales.request('directory.profile', { userId: researcher.id }),
      rejectsWith('USER_UNKNOWN'),
    );
    await assert.rejects(
      sales.request('directory.profile', { userId: director.id }),
      rejectsWith('USER_UNKNOWN'),
    );
  });

  test('presence: watching denied people returns nothing for them', async () => {
    const snapshot = (await sales.request('presence.watch', {
      users: [researcher.id, director.id, colleague.id],
    })) as { users: [number, string][] };
    const ids = snapshot.users.map(([id]) => id);
    assert.ok(ids.includes(colleague.id));
    assert.ok(!ids.includes(researcher.id) && !ids.includes(director.id), `got ${ids.join(',')}`);
  });

  test('starting a chat with a denied person is IM_NOT_ALLOWED', async () => {
    for (const other of [researcher, director]) {
      await assert.rejects(
        sales.request('conversation.create', { kind: 'direct', userIds: [other.id] }),
        rejectsWith('IM_NOT_ALLOWED'),
      );
    }
    const allowed = (await sales.request('conversation.create', {
      kind: 'direct',
      userIds: [colleague.id],
    })) as {
      id: number;
    };
    assert.ok(allowed.id > 0);
  });

  test('adding a denied person to a group is IM_NOT_ALLOWED', async () => {
    const group = (await sales.request('conversation.create', {
      kind: 'group',
      userIds: [colleague.id],
      title: 'Sales team',
    })) as { id: number };
    await assert.rejects(
      sales.request('conversation.add', { conversationId: group.id, userIds: [researcher.id] }),
      rejectsWith('IM_NOT_ALLOWED'),
    );
  });

  test('a memo to a denied person is IM_NOT_ALLOWED; to the denied unit it reaches nobody', async () => {
    await assert.rejects(
      sales.request('memo.send', { subject: 'hi', body: 'hello', to: { userIds: [researcher.id] } }),
      rejectsWith('IM_NOT_ALLOWED'),
    );
    await assert.rejects(
      sales.request('memo.send', { subject: 'hi', body: 'hello', to: { unitIds: [researchUnitId] } }),
      (error: ImRequestError) => {
        assert.ok(['IM_NOT_ALLOWED', 'INVALID_INPUT'].includes(error.code), error.message);
        return true;
      },
    );
  });
});

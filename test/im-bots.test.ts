import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ImTestClient, startImServer, type ImTestServer, type TestUser } from './support/im-server.ts';

for (const database of ['sqlite', 'postgres'] as const) {
  describe(`the bot API: bots post messages and memos over REST [${database}]`, () => {
    let server: ImTestServer;
    let taro: TestUser;
    let hanako: TestUser;
    let jiro: TestUser;
    let botToken: string;
    let botId: number;
    const clients: ImTestClient[] = [];
    const online: Record<string, ImTestClient> = {};

    /** The bot's REST call, with its own token unless told otherwise. */
    const bot = (path: string, body: unknown, token: string | null = botToken) =>
      server.call('POST', `/api/v1/bot${path}`, { body, token });

    before(async () => {
      server = await startImServer({ database });
      // Everyone is made before the first message: the visibility rules cache the directory for a few seconds.
      taro = await server.createUser('taro', { unit: '情報システム部' });
      hanako = await server.createUser('hanako', { unit: '情報システム部/運用' });
      jiro = await server.createUser('jiro', { unit: '営業部' });
      for (const user of [taro, hanako, jiro]) {
        const client = await ImTestClient.connect(server);
        await client.hello(user.address, user.password);
        clients.push(client);
        online[user.address] = client;
      }
    });
    after(async () => {
      for (const client of clients) await client.close();
      await server?.stop();
    });

    it('an admin makes a bot over the admin API; the token is in that answer only', async () => {
      const created = await server.call('POST', '/api/v1/bots', {
        body: { name: 'monitoring', displayName: '監視システム' },
      });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.headers['cache-control'], 'no-store');
      assert.match(created.json.token, /^coob_/);
      assert.equal(created.json.address, 'monitoring@example.com');
      botToken = created.json.token;
      botId = (await server.services.directory.users.get('monitoring@example.com')).id;

      const listed = await server.call('GET', '/api/v1/bots');
      assert.equal(listed.status, 200);
      assert.deepEqual(
        listed.json.bots.map((b: { name: string; displayName: string }) => [b.name, b.displayName]),
        [['monitoring', '監視システム']],
      );
      assert.equal(listed.text.includes(botToken), false);
      const again = await server.call('POST', '/api/v1/bots', { body: { name: 'monitoring' } });
      assert.equal(again.status, 409);
      assert.equal(again.json.error.code, 'BOT_EXISTS');
      const unauthorised = await server.call('POST', '/api/v1/bots', {
        body: { name: 'x' },
        token: botToken,
      });
      assert.equal(unauthorised.status, 401, 'a bot token is no admin token');
    });

    it('a message to an address arrives in the bot’s 1:1 with that person', async () => {
      const posted = await bot('/messages', { to: 'taro@example.com', text: 'ディスク使用率 95%' });
      assert.equal(posted.status, 200, posted.text);
      const [sent] = posted.json.sent;
      assert.equal(posted.json.sent.length, 1);
      assert.equal(sent.to, taro.address);
      const event = await online[taro.address]!.next('message');
      const message = event.message as {
        senderId: number;
        text: string;
        conversationId: number;
        seq: number;
      };
      assert.deepEqual(
        [message.senderId, message.text, message.conversationId, message.seq],
        [botId, 'ディスク使用率 95%', sent.conversationId, sent.seq],
      );
    });

    it('with an id, a retried post sends nothing twice', async () => {
      const body = { to: 'taro', text: 'job 42 finished', id: 'job-42' };
      const first = await bot('/messages', body);
      const retry = await bot('/messages', body);
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(retry.json, first.json);
      await online[taro.address]!.next(
        'message',
        (f) => (f.message as { text: string }).text === 'job 42 finished',
      );
      await online[taro.address]!.noFrame(
        'message',
        300,
        (f) => (f.message as { text: string }).text === 'job 42 finished',
      );
    });

    it('a message to a unit reaches each member of it and of the units below, and nobody else', async () => {
      const posted = await bot('/messages', {
        to: { unit: '情報システム部' },
        text: 'メンテナンスは 22 時から',
      });
      assert.equal(posted.status, 200, posted.text);
      assert.deepEqual(posted.json.sent.map((s: { to: string }) => s.to).sort(), [
        hanako.address,
        taro.address,
      ]);
      for (const user of [taro, hanako]) {
        await online[user.address]!.next(
          'message',
          (f) => (f.message as { text: string }).text === 'メンテナンスは 22 時から',
        );
      }
      await online[jiro.address]!.noFrame('message', 300);
    });

    it('a memo to users and units arrives in each inbox', async () => {
      const posted = await bot('/memos', {
        to: { users: ['taro@example.com'], units: ['営業部'] },
        subject: '月次レポート',
        body: '10 月のレポートができました。',
      });
      assert.equal(posted.status, 200, posted.text);
      assert.equal(posted.json.recipients, 2);
      for (const user of [taro, jiro]) {
        const event = await online[user.address]!.next('memo');
        const memo = event.memo as { id: number; subject: string; sender: { address: string } };
        assert.deepEqual(
          [memo.id, memo.subject, memo.sender.address],
          [posted.json.memoId, '月次レポート', 'monitoring@example.com'],
        );
      }
    });

    it('bad requests are refused with a stable code', async () => {
      const cases: [string, () => ReturnType<typeof bot>, number, string][] = [
        ['no token', () => bot('/messages', { to: 'taro', text: 'x' }, null), 401, 'AUTH_REQUIRED'],
        [
          'a made-up token',
          () => bot('/messages', { to: 'taro', text: 'x' }, `coob_${'x'.repeat(43)}`),
          401,
          'AUTH_REQUIRED',
        ],
        [
          'an admin API token',
          () => bot('/messages', { to: 'taro', text: 'x' }, server.token),
          401,
          'AUTH_REQUIRED',
        ],
        [
          'an unknown person',
          () => bot('/messages', { to: 'nobody@example.com', text: 'x' }),
          404,
          'USER_UNKNOWN',
        ],
        [
          'an unknown unit',
          () => bot('/messages', { to: { unit: '存在しない部' }, text: 'x' }),
          404,
          'UNIT_UNKNOWN',
        ],
        ['no text', () => bot('/messages', { to: 'taro' }), 400, 'INVALID_INPUT'],
        [
          'an unknown field',
          () => bot('/messages', { to: 'taro', text: 'x', html: '<b>' }),
          400,
          'INVALID_INPUT',
        ],
        [
          'a text over the limit',
          () => bot('/messages', { to: 'taro', text: 'あ'.repeat(10_001) }),
          400,
          'INVALID_INPUT',
        ],
        ['a memo to nobody', () => bot('/memos', { to: {}, body: 'x' }), 400, 'INVALID_INPUT'],
        [
          'a memo to an unknown unit',
          () => bot('/memos', { to: { units: ['Nowhere'] }, body: 'x' }),
          404,
          'UNIT_UNKNOWN',
        ],
      ];
      for (const [what, call, status, code] of cases) {
        const response = await call();
        assert.equal(response.status, status, `${what}: ${response.text}`);
        assert.equal(response.json.error.code, code, what);
      }
      const noToken = await bot('/messages', { to: 'taro', text: 'x' }, null);
      assert.match(String(noToken.headers['www-authenticate']), /^Bearer realm="coo-bot"/);
      const malformed = await server.call('POST', '/api/v1/bot/messages', {
        token: botToken,
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(malformed.status, 400);
    });

    it('what a bot sends is audited as the bot, over protocol "bot", with its address', async () => {
      const query = new URLSearchParams({ action: 'im.message.send', actor: 'monitoring@example.com' });
      const response = await server.call('GET', `/api/v1/audit?${query.toString()}`);
      assert.equal(response.status, 200, response.text);
      const entries = response.json.entries as { protocol: string; remote: string }[];
      assert.ok(entries.length >= 4, `${entries.length} entries`);
      assert.ok(entries.every((e) => e.protocol === 'bot' && e.remote === '127.0.0.1'));
      const created = await server.call('GET', '/api/v1/audit?action=bot.create&target=monitoring');
      assert.equal(created.json.entries[0].actor, 'admin@example.com');
    });

    it('a removed bot can post no more', async () => {
      const removed = await server.call('DELETE', '/api/v1/bots/monitoring');
      assert.equal(removed.status, 204);
      const refused = await bot('/messages', { to: 'taro', text: 'still there?' });
      assert.equal(refused.status, 401);
      assert.equal((await server.call('DELETE', '/api/v1/bots/monitoring')).status, 404);
      assert.deepEqual((await server.call('GET', '/api/v1/bots')).json.bots, []);
    });
  });
}

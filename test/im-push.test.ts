import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VAPID_SETTING, type VapidKeys } from '../src/im/push/vapid.ts';
import { getSetting } from '../src/store/settings.ts';
import {
  ImRequestError,
  ImTestClient,
  startImServer,
  type ImTestServer,
  type TestUser,
} from './support/im-server.ts';
import { FakePushService, verifyVapid, type FakeBrowser } from './support/push-service.ts';

const GRACE_MS = 200;

async function until(what: string, done: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Web Push over the messenger protocol', () => {
  let pushService: FakePushService;
  let server: ImTestServer;
  let taro: TestUser;
  let hanako: TestUser;
  let browser: FakeBrowser;
  let resumeToken: string;

  before(async () => {
    pushService = await FakePushService.start();
    server = await startImServer({
      messenger: { push: { agent: pushService.agent }, presence: { graceMs: GRACE_MS, flushMs: 50 } },
    });
    taro = await server.createUser('taro', { name: '山田太郎' });
    hanako = await server.createUser('hanako', { name: '佐藤花子' });
    browser = pushService.browser();
  });
  after(async () => {
    await server?.stop();
    await pushService?.stop();
  });

  it('push.vapid gives the key coo init made; push.subscribe stores this device’s subscription', async () => {
    const client = await ImTestClient.connect(server);
    try {
      const hello = await client.hello(taro.address, taro.password, {
        remember: true,
        device: { kind: 'web', name: 'Firefox' },
      });
      resumeToken = hello.resumeToken ?? '';
      const stored = await getSetting<VapidKeys>(server.services.store.db, VAPID_SETTING);
      assert.deepEqual(await client.request('push.vapid'), { publicKey: stored?.publicKey });
      // As PushSubscription.toJSON() gives it, expirationTime included.
      assert.deepEqual(
        await client.request('push.subscribe', {
          subscription: { ...browser.subscription, expirationTime: null },
        }),
        {},
      );
    } finally {
      await client.close();
    }
  });

  it('a malformed subscription is refused with IM_BAD_FRAME and the connection lives', async () => {
    const client = await ImTestClient.connect(server);
    try {
      await client.hello(taro.address, taro.password);
      const { endpoint, keys } = browser.subscription;
      const bad: [string, unknown][] = [
        ['no subscription', undefined],
        ['an http endpoint', { endpoint: endpoint.replace('https:', 'http:'), keys }],
        ['an endpoint that is no URL', { endpoint: 'push service', keys }],
        ['an endpoint too long', { endpoint: `${endpoint}/${'a'.repeat(2100)}`, keys }],
        ['no keys', { endpoint }],
        [
          'a p256dh of 33 bytes',
          { endpoint, keys: { ...keys, p256dh: Buffer.alloc(33, 2).toString('base64url') } },
        ],
        [
          'a p256dh that is no point',
          { endpoint, keys: { ...keys, p256dh: Buffer.alloc(65, 7).toString('base64url') } },
        ],
        ['an auth of 8 bytes', { endpoint, keys: { ...keys, auth: Buffer.alloc(8).toString('base64url') } }],
        ['an auth that is not base64url', { endpoint, keys: { ...keys, auth: '!!!!!!!!!!!!!!!!!!!!!!' } }],
      ];
      for (const [what, subscription] of bad) {
        await assert.rejects(
          client.request('push.subscribe', subscription === undefined ? {} : { subscription }),
          (error: unknown) => error instanceof ImRequestError && error.code === 'IM_BAD_FRAME',
          what,
        );
      }
      assert.deepEqual(
        await client.request('push.unsubscribe', { endpoint: 'https://elsewhere.example/x' }),
        {
          removed: 0,
        },
      );
      assert.ok(client.isOpen);
    } finally {
      await client.close();
    }
  });

  it('a direct message to someone with no open session reaches their browser, encrypted and VAPID-signed', async () => {
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS * 3));
    const client = await ImTestClient.connect(server);
    try {
      await client.hello(hanako.address, hanako.password);
      const conversation = (await client.request('conversation.create', {
        kind: 'direct',
        userIds: [taro.id],
      })) as { id: number };
      await client.request('message.send', {
        conversationId: conversation.id,
        text: 'お疲れさまです。明日の会議は 10 時です',
      });
    } finally {
      await client.close();
    }
    await until('the push', () => pushService.receivedAt(browser.subscription.endpoint).length === 1);
    const [received] = pushService.receivedAt(browser.subscription.endpoint);
    assert.ok(received);
    assert.equal(received.headers['content-encoding'], 'aes128gcm');
    const signed = verifyVapid(received.headers.authorization as string);
    assert.equal(signed.claims.sub, 'mailto:postmaster@example.com');
    assert.equal(signed.claims.aud, pushService.origin);
    const payload = JSON.parse(browser.decrypt(received.body)) as { title: string; body: string };
    assert.match(`${payload.title} ${payload.body}`, /明日の会議は 10 時です/);
  });

  it('after push.unsubscribe the device gets nothing', async () => {
    const client = await ImTestClient.connect(server);
    try {
      await client.resume(resumeToken);
      assert.deepEqual(await client.request('push.unsubscribe'), { removed: 1 });
    } finally {
      await client.close();
    }
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS * 3));
    const sender = await ImTestClient.connect(server);
    try {
      await sender.hello(hanako.address, hanako.password);
      const conversation = (await sender.request('conversation.create', {
        kind: 'direct',
        userIds: [taro.id],
      })) as {
        id: number;
      };
      await sender.request('message.send', { conversationId: conversation.id, text: 'もう一つ' });
    } finally {
      await sender.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(pushService.receivedAt(browser.subscription.endpoint).length, 1);
  });
});

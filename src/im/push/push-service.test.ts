import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { servicesOver, userWithDeviceService } from '../../../test/support/services.ts';
import { describeOnEachDatabase } from '../../../test/support/stores.ts';
import { FakePushService, verifyVapid } from '../../../test/support/push-service.ts';
import { CLI_ACTOR } from '../../directory/types.ts';
import { createLogger } from '../../log.ts';
import { putSetting } from '../../store/settings.ts';
import type { DeviceService } from '../sessions/device-service.ts';
import { PushService } from './push-service.ts';
import { generateVapidKeys, VAPID_SETTING, type VapidKeys } from './vapid.ts';

describeOnEachDatabase('Web Push', (context) => {
  let pushService: FakePushService;
  let vapid: VapidKeys;
  const logLines: Record<string, unknown>[] = [];
  let userCount = 0;

  before(async () => {
    pushService = await FakePushService.start();
    const { directory } = servicesOver(context.store);
    await directory.domains.add('example.com', CLI_ACTOR);
    vapid = generateVapidKeys();
    await putSetting(context.store.db, VAPID_SETTING, vapid);
  });
  after(async () => {
    await pushService.stop();
  });

  function push(options: { concurrency?: number } = {}): PushService {
    const { directory } = servicesOver(context.store);
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
          logLines.push(JSON.parse(line));
        done();
      },
    });
    return new PushService({
      store: context.store,
      domains: directory.domains,
      logger: createLogger('debug', sink),
      agent: pushService.agent,
      ...options,
    });
  }

  /** A new user with one signed-in (remembered) device. */
  async function userWithDevice(): Promise<{ userId: number; deviceId: number; devices: DeviceService }> {
    const address = `push-user-${++userCount}@example.com`;
    const { devices, row } = await userWithDeviceService(context.store, address, {
      displayName: `User ${userCount}`,
    });
    const login = await devices.register(
      row,
      { kind: 'web', name: 'Firefox' },
      { remember: true, remote: '127.0.0.1' },
    );
    return { userId: row.id, deviceId: login.device.id, devices };
  }

  test('push.vapid gives the public key coo init stored', async () => {
    assert.equal(await push().vapidPublicKey(), vapid.publicKey);
  });

  test('a notification reaches the push service encrypted (aes128gcm) and VAPID-signed, and decrypts', async () => {
    const device = await userWithDevice();
    const browser = pushService.browser();
    const service = push();
    await service.subscribe(device, browser.subscription);
    await service.notify([device.userId], {
      title: '田中さん',
      body: 'お疲れさまです',
      url: '/#/c/7',
      tag: 'c7',
    });

    const [received, ...more] = pushService.receivedAt(browser.subscription.endpoint);
    assert.ok(received, 'the push service got the message');
    assert.equal(more.length, 0);
    assert.equal(received.headers['content-encoding'], 'aes128gcm');
    assert.equal(received.headers['content-type'], 'application/octet-stream');
    assert.equal(received.headers.ttl, String(12 * 60 * 60));
    assert.match(String(received.headers.topic), /^[A-Za-z0-9_-]{1,32}$/);
    const signed = verifyVapid(received.headers.authorization as string);
    assert.equal(signed.publicKey, vapid.publicKey);
    assert.equal(signed.claims.aud, pushService.origin);
    assert.equal(signed.claims.sub, 'mailto:postmaster@example.com');
    assert.ok(
      signed.claims.exp * 1000 > Date.now() && signed.claims.exp * 1000 <= Date.now() + 24 * 3600_000,
    );
    assert.deepEqual(JSON.parse(browser.decrypt(received.body)), {
      title: '田中さん',
      body: 'お疲れさまです',
      url: '/#/c/7',
      tag: 'c7',
    });
  });

  test('a 410 or 404 from the push service prunes the subscription; nothing is sent there again', async () => {
    const gone = await userWithDevice();
    const missing = await userWithDevice();
    const alive = await userWithDevice();
    const service = push();
    const browsers = [pushService.browser(), pushService.browser(), pushService.browser()] as const;
    await service.subscribe(gone, browsers[0].subscription);
    await service.subscribe(missing, browsers[1].subscription);
    await service.subscribe(alive, browsers[2].subscription);
    pushService.statusOf.set(new URL(browsers[0].subscription.endpoint).pathname, 410);
    pushService.statusOf.set(new URL(browsers[1].subscription.endpoint).pathname, 404);

    const users = [gone.userId, missing.userId, alive.userId];
    await service.notify(users, { title: 't', body: 'first' });
    await service.notify(users, { title: 't', body: 'second' });
    assert.equal(pushService.receivedAt(browsers[0].subscription.endpoint).length, 1);
    assert.equal(pushService.receivedAt(browsers[1].subscription.endpoint).length, 1);
    assert.equal(pushService.receivedAt(browsers[2].subscription.endpoint).length, 2);
    assert.ok(logLines.some((line) => line.msg === 'push subscription gone: removed' && line.status === 410));
  });

  test('any other failure is logged and the subscription kept', async () => {
    const device = await userWithDevice();
    const browser = pushService.browser();
    const service = push();
    await service.subscribe(device, browser.subscription);
    const path = new URL(browser.subscription.endpoint).pathname;
    pushService.statusOf.set(path, 503);
    await service.notify([device.userId], { title: 't', body: 'busy' });
    pushService.statusOf.delete(path);
    await service.notify([device.userId], { title: 't', body: 'again' });
    assert.equal(pushService.receivedAt(browser.subscription.endpoint).length, 2);
    const failed = logLines.find((line) => line.msg === 'push failed' && line.status === 503);
    assert.ok(failed, 'the failure is logged');
    assert.equal(
      failed.pushService,
      pushService.origin,
      'the log names the service, not the secret endpoint',
    );
  });

  test('a device has one subscription: subscribing again replaces it; unsubscribe removes it', async () => {
    const device = await userWithDevice();
    const [first, second] = [pushService.browser(), pushService.browser()];
    const service = push();
    await service.subscribe(device, first.subscription);
    await service.subscribe(device, second.subscription);
    await service.notify([device.userId], { title: 't', body: 'b' });
    assert.equal(pushService.receivedAt(first.subscription.endpoint).length, 0);
    assert.equal(pushService.receivedAt(second.subscription.endpoint).length, 1);

    assert.equal(await service.unsubscribe(device, first.subscription.endpoint), 0);
    assert.equal(await service.unsubscribe(device), 1);
    await service.notify([device.userId], { title: 't', body: 'b' });
    assert.equal(pushService.receivedAt(second.subscription.endpoint).length, 1);
  });

  test('a browser that another user subscribes from stops notifying the first', async () => {
    const [first, second] = [await userWithDevice(), await userWithDevice()];
    const browser = pushService.browser();
    const service = push();
    await service.subscribe(first, browser.subscription);
    await service.subscribe(second, browser.subscription);
    await service.notify([first.userId], { title: 't', body: 'for the first' });
    assert.equal(pushService.receivedAt(browser.subscription.endpoint).length, 0);
    await service.notify([second.userId], { title: 't', body: 'for the second' });
    assert.equal(pushService.receivedAt(browser.subscription.endpoint).length, 1);
  });

  test('a revoked device gets no notifications', async () => {
    const device = await userWithDevice();
    const browser = pushService.browser();
    const service = push();
    await service.subscribe(device, browser.subscription);
    await device.devices.revoke(device.userId, device.deviceId, CLI_ACTOR);
    await service.notify([device.userId], { title: 't', body: 'b' });
    assert.equal(pushService.receivedAt(browser.subscription.endpoint).length, 0);
  });

  test('sends concurrently, never more than the bound at once', async () => {
    const devices = await Promise.all(Array.from({ length: 9 }, () => userWithDevice()));
    const service = push({ concurrency: 3 });
    const browsers = devices.map(() => pushService.browser());
    for (const [i, device] of devices.entries()) await service.subscribe(device, browsers[i]!.subscription);
    pushService.maxInFlight = 0;
    pushService.delayMs = 50;
    try {
      await service.notify(
        devices.map((d) => d.userId),
        { title: 't', body: 'b' },
      );
    } finally {
      pushService.delayMs = 0;
    }
    assert.equal(pushService.maxInFlight, 3);
    for (const browser of browsers)
      assert.equal(pushService.receivedAt(browser.subscription.endpoint).length, 1);
  });

  test('a long notification is cut to fit one push message', async () => {
    const device = await userWithDevice();
    const browser = pushService.browser();
    const service = push();
    await service.subscribe(device, browser.subscription);
    await service.notify([device.userId], { title: 'T'.repeat(500), body: '長'.repeat(5000) });
    const [received] = pushService.receivedAt(browser.subscription.endpoint);
    assert.ok(received);
    const payload = JSON.parse(browser.decrypt(received.body)) as { title: string; body: string };
    assert.equal([...payload.title].length, 120);
    assert.equal([...payload.body].length, 1000);
    assert.ok(payload.body.endsWith('…'));
    assert.ok(received.body.length < 4096, `${received.body.length} bytes`);
  });
});

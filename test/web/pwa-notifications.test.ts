import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { browserSuite, CHROMIUM, logInAs, waitInPage } from '../support/browser.ts';
import { ImTestClient, type ImTestServer, type TestUser } from '../support/im-server.ts';
import { FakePushService } from '../support/push-service.ts';

/**
 * The installable app and its notifications, in Chromium against a real
 * server. This file launches its own Chromium, trusting the server's
 * self-signed certificate for the whole browser and not flagged as
 * automated: Chromium refuses a service worker from an origin whose
 * certificate is only excused per page, and the app registers none under
 * automation (web/src/main.tsx).
 */
async function launchTrustingBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`the browser tests need Chromium at ${CHROMIUM}`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-dev-shm-usage',
      '--disable-gpu',
      '--ignore-certificate-errors',
      '--disable-blink-features=AutomationControlled',
    ],
  });
}

interface Opened {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

async function open(
  browser: Browser,
  server: ImTestServer,
  init?: (context: BrowserContext) => Promise<void>,
): Promise<Opened> {
  const context = await browser.newContext({
    baseURL: server.baseUrl,
    ignoreHTTPSErrors: true,
    locale: 'en-US',
    viewport: { width: 1280, height: 800 },
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await init?.(context);
  await page.goto('/');
  return { context, page, errors };
}

/**
 * The browser's push service is on the internet, out of reach of a test:
 * PushManager hands out the fake push service's subscription instead, and
 * remembers the key it was asked to subscribe with. `window.testHidden`
 * makes the page report itself hidden, as a tab in the background does.
 */
function browserDoubles(subscription: { endpoint: string; keys: { p256dh: string; auth: string } }): string {
  return `(() => {
    const subscription = ${JSON.stringify(subscription)};
    let current = null;
    const base64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/[+]/g, '-').replace(/[/]/g, '_').replace(/=+$/, '');
    PushManager.prototype.getSubscription = async () => current;
    PushManager.prototype.subscribe = async (options) => {
      const key = new Uint8Array(options.applicationServerKey);
      window.testPushKey = base64url(key);
      current = {
        endpoint: subscription.endpoint,
        options: { userVisibleOnly: true, applicationServerKey: key.buffer },
        toJSON: () => ({ ...subscription, expirationTime: null }),
        unsubscribe: async () => { current = null; return true; },
      };
      return current;
    };
    Object.defineProperty(Document.prototype, 'visibilityState', {
      get: () => (window.testHidden ? 'hidden' : 'visible'),
    });
  })()`;
}

async function until(
  what: string,
  done: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A user logged in over a WebSocket, with a 1:1 to `other`. */
async function chatter(server: ImTestServer, user: TestUser, other: TestUser) {
  const client = await ImTestClient.connect(server);
  await client.hello(user.address, user.password);
  const conversation = (await client.request('conversation.create', {
    kind: 'direct',
    userIds: [other.id],
  })) as {
    id: number;
  };
  const say = (text: string) => client.request('message.send', { conversationId: conversation.id, text });
  return { client, conversationId: conversation.id, say };
}

describe('web client: installable app, offline shell and notifications', () => {
  let pushService: FakePushService;

  // Started before the server, which sends its pushes through the push service's agent.
  before(async () => {
    pushService = await FakePushService.start();
  });
  const world = browserSuite({
    server: () => ({
      messenger: { push: { agent: pushService.agent }, presence: { graceMs: 200, flushMs: 50 } },
    }),
    launch: launchTrustingBrowser,
  });
  before(async () => {
    // The user's own messages from another device are sent while the page stays logged in.
    const policy = await world.server.call('PUT', '/api/v1/settings/im.login-policy', {
      body: { value: 'multiple' },
    });
    assert.equal(policy.status, 200);
  });
  after(async () => {
    await pushService?.stop();
  });

  test('the manifest is served, names the app and points at icons of the sizes it says', async () => {
    const { context, page } = await open(world.browser, world.server);
    assert.equal(await page.locator('link[rel="manifest"]').getAttribute('href'), '/manifest.webmanifest');
    const response = await page.request.get('/manifest.webmanifest');
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-type'] ?? '', /^application\/manifest\+json/);
    const manifest = (await response.json()) as {
      name: string;
      short_name: string;
      start_url: string;
      display: string;
      theme_color: string;
      background_color: string;
      icons: { src: string; sizes: string; type: string; purpose?: string }[];
    };
    assert.equal(manifest.name, 'Coo');
    assert.equal(manifest.start_url, '/');
    assert.equal(manifest.display, 'standalone');
    assert.match(manifest.theme_color, /^#[0-9a-f]{6}$/i);
    assert.match(manifest.background_color, /^#[0-9a-f]{6}$/i);
    const pngs = manifest.icons.filter((icon) => icon.type === 'image/png');
    assert.deepEqual(new Set(pngs.map((icon) => icon.sizes)), new Set(['192x192', '512x512']));
    assert.ok(
      pngs.some((icon) => icon.purpose === 'maskable'),
      'a maskable icon',
    );
    const touchIcon = await page.locator('link[rel="apple-touch-icon"]').getAttribute('href');
    assert.ok(touchIcon);
    const images = [
      ...pngs.map((icon) => ({ src: icon.src, sizes: icon.sizes })),
      { src: touchIcon, sizes: '180x180' },
    ];
    for (const { src, sizes } of images) {
      const icon = await page.request.get(src);
      assert.equal(icon.status(), 200, src);
      assert.equal(icon.headers()['content-type'], 'image/png', src);
      const decoded = await page.evaluate(
        `new Promise((resolve) => { const image = new Image(); image.onload = () => resolve(image.naturalWidth + 'x' + image.naturalHeight); image.onerror = () => resolve('broken'); image.src = ${JSON.stringify(src)}; })`,
      );
      assert.equal(decoded, sizes, src);
    }
    await context.close();
  });

  test('the service worker controls the page after a reload, and the app opens without a network', async () => {
    const user = await world.server.createUser('pwa-offline', { name: 'Offline Olivia' });
    const { context, page, errors } = await open(world.browser, world.server);
    await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
    await page.reload();
    assert.match(
      String(await page.evaluate('navigator.serviceWorker.controller?.scriptURL')),
      /\/sw\.js\?build=/,
    );
    await logInAs(page, user.address, user.password, { remember: true });
    assert.deepEqual(errors, []);

    const cached = await page.evaluate<string[]>(
      `caches.keys().then((names) => Promise.all(names.map((name) => caches.open(name).then((cache) => cache.keys())))).then((lists) => lists.flat().map((request) => new URL(request.url).pathname))`,
    );
    assert.ok(cached.includes('/'), 'the shell is cached');
    assert.ok(
      cached.some((file) => /^\/assets\/.+\.js$/.test(file)),
      'its script is cached',
    );
    assert.deepEqual(
      cached.filter((file) => file.startsWith('/api') || file.startsWith('/ws')),
      [],
    );

    await context.setOffline(true);
    await page.reload();
    // The app itself (not the browser's error page) starts, and says it is connecting.
    await page.getByRole('status').filter({ hasText: 'Connecting' }).waitFor();
    assert.equal(await page.title(), 'Coo');
    await context.setOffline(false);
    await page.locator('nav.rail').waitFor({ state: 'visible', timeout: 15_000 });
    await context.close();
  });

  test('a direct message shows a toast while the user is elsewhere, and the toast opens the chat', async () => {
    const recipient = await world.server.createUser('pwa-recipient', { name: 'Rina Recipient' });
    const sender = await world.server.createUser('pwa-sender', { name: 'Sam Sender' });
    const third = await world.server.createUser('pwa-third', { name: 'Tomo Third' });
    const { context, page, errors } = await open(world.browser, world.server);
    await logInAs(page, recipient.address, recipient.password);
    await page.evaluate(`location.hash = '#/org'`);
    const sam = await chatter(world.server, sender, recipient);

    await sam.say('Lunch at noon?');
    const region = page.getByRole('region', { name: 'Notifications' });
    const toast = region.getByTestId('notification-toast').filter({ hasText: 'Sam Sender' });
    await toast.waitFor();
    assert.match((await toast.textContent()) ?? '', /Lunch at noon\?/);
    assert.equal(await region.locator('[aria-live="polite"]').getByTestId('notification-toast').count(), 1);

    // The prompt to turn notifications on comes with the first notice; "Not now" is remembered.
    const prompt = page.getByTestId('notification-prompt');
    await prompt.getByText('Get notified of new messages').waitFor();
    await prompt.getByRole('button', { name: 'Not now' }).click();
    await prompt.waitFor({ state: 'detached' });

    await toast.getByRole('link').click();
    assert.equal(await page.evaluate('location.hash'), `#/chats/${sam.conversationId}`);
    await toast.waitFor({ state: 'detached' });

    // In the open conversation: nothing for the next message, nor for the user's own from another device.
    await sam.say('Still there?');
    const own = await ImTestClient.connect(world.server);
    await own.hello(recipient.address, recipient.password);
    await own.request('message.send', { conversationId: sam.conversationId, text: 'Yes, coming' });
    // A message in another conversation shows a toast: by then the others would have shown theirs.
    const tomo = await chatter(world.server, third, recipient);
    await tomo.say('Meeting moved');
    await region.getByTestId('notification-toast').filter({ hasText: 'Meeting moved' }).waitFor();
    assert.deepEqual(await region.getByTestId('notification-toast').allTextContents(), [
      await region.getByTestId('notification-toast').first().textContent(),
    ]);
    assert.equal(await prompt.count(), 0, 'the dismissed prompt stays away');
    assert.deepEqual(errors, []);
    for (const client of [sam.client, tomo.client, own]) await client.close();
    await context.close();
  });
  test('accepting the prompt subscribes to Web Push; hidden, the tab notifies; gone, the push service does', async () => {
    const user = await world.server.createUser('pwa-push', { name: 'Pia Push' });
    const sender = await world.server.createUser('pwa-push-sender', { name: 'Sota Sender' });
    const device = pushService.browser();
    const sent = new Map<number, string>();
    const answered = new Set<number>();
    const { context, page, errors } = await open(world.browser, world.server, async (context) => {
      await context.addInitScript(browserDoubles(device.subscription));
    });
    page.on('websocket', (socket) => {
      socket.on('framesent', ({ payload }) => {
        const frame = JSON.parse(String(payload)) as { t: string; id?: number };
        if (frame.id !== undefined) sent.set(frame.id, frame.t);
      });
      socket.on('framereceived', ({ payload }) => {
        const frame = JSON.parse(String(payload)) as { t: string; re?: number };
        if (frame.t === 'ok' && frame.re !== undefined && sent.get(frame.re) === 'push.subscribe')
          answered.add(frame.re);
      });
    });
    await logInAs(page, user.address, user.password, { remember: true });
    await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
    const sota = await chatter(world.server, sender, user);

    await sota.say('First message');
    const prompt = page.getByTestId('notification-prompt');
    await prompt.getByText('Get notified of new messages').waitFor();
    await context.grantPermissions(['notifications'], { origin: world.server.baseUrl });
    await prompt.getByRole('button', { name: 'Turn on notifications' }).click();
    await prompt.waitFor({ state: 'detached' });
    await until('the subscription handed to the server', () => answered.size === 1);
    const { publicKey } = (await sota.client.request('push.vapid')) as { publicKey: string };
    assert.equal(await page.evaluate('window.testPushKey'), publicKey);

    // A hidden tab shows a system notification (through the service worker), not a toast.
    await page.evaluate(`window.testHidden = true; document.dispatchEvent(new Event('visibilitychange'))`);
    await sota.say('While you were away');
    const shown = () =>
      page.evaluate<[string, string, string][]>(
        `navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) => list.map((n) => [n.title, n.body, n.data && n.data.url]))`,
      );
    await until('a system notification', async () => (await shown()).length > 0);
    assert.deepEqual(await shown(), [
      ['Sota Sender', 'While you were away', `/#/chats/${sota.conversationId}`],
    ]);
    assert.deepEqual(
      (await page.getByTestId('notification-toast').allTextContents()).filter((text) =>
        text.includes('away'),
      ),
      [],
    );
    assert.deepEqual(errors, []);

    // Once the user has no open session, the server pushes to the subscription the page handed over.
    await sota.client.request('presence.watch', { users: [user.id] });
    await context.close();
    await sota.client.next(
      'presence',
      (frame) => (frame.u as [number, string][]).some(([id, state]) => id === user.id && state === 'offline'),
      5000,
    );
    await sota.say('Call me back');
    await until(
      'a push at the subscribed endpoint',
      () => pushService.receivedAt(device.subscription.endpoint).length > 0,
    );
    const [push] = pushService.receivedAt(device.subscription.endpoint);
    assert.ok(push);
    assert.deepEqual(JSON.parse(device.decrypt(push.body)), {
      title: 'Sota Sender',
      body: 'Call me back',
      url: `/#/chats/${sota.conversationId}`,
      tag: `/#/chats/${sota.conversationId}`,
    });
    await sota.client.close();
  });

  test('the service worker shows a push as a notification, and its click opens the chat in the open tab', async () => {
    const { context, page } = await open(world.browser, world.server);
    await context.grantPermissions(['notifications'], { origin: world.server.baseUrl });
    const devtools = await context.newCDPSession(page);
    const registrations: { registrationId: string; isDeleted: boolean }[] = [];
    devtools.on('ServiceWorker.workerRegistrationUpdated', (event) =>
      registrations.push(...event.registrations),
    );
    await devtools.send('ServiceWorker.enable');
    await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
    await until('the worker registration', () => registrations.some((r) => !r.isDeleted));
    const registration = registrations.find((r) => !r.isDeleted);
    assert.ok(registration);
    await devtools.send('ServiceWorker.deliverPushMessage', {
      origin: world.server.baseUrl,
      registrationId: registration.registrationId,
      data: JSON.stringify({
        title: '佐藤花子',
        body: 'お疲れさまです',
        url: '/#/chats/42',
        tag: '/#/chats/42',
      }),
    });
    const shown = () =>
      page.evaluate<string[][]>(
        `navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) => list.map((n) => [n.title, n.body, n.tag, n.data.url]))`,
      );
    await until('the notification', async () => (await shown()).length > 0);
    assert.deepEqual(await shown(), [['佐藤花子', 'お疲れさまです', '/#/chats/42', '/#/chats/42']]);

    // A click (dispatched in the worker: no browser UI to click here) takes the open tab to the chat.
    const [worker] = context.serviceWorkers();
    assert.ok(worker);
    await worker.evaluate(
      `self.registration.getNotifications().then(([notification]) => { self.dispatchEvent(new NotificationEvent('notificationclick', { notification })); })`,
    );
    await waitInPage(page, `location.hash === '#/chats/42'`);
    await context.close();
  });
});

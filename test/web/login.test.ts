import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, logInAs, openPage, pageErrors } from '../support/browser.ts';
import { startImServer, type ImTestServer } from '../support/im-server.ts';

describe('web client: login and sessions', () => {
  let server: ImTestServer;
  let browser: Browser;

  before(async () => {
    server = await startImServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the app is served with its security headers, and a wrong password says so', async () => {
    const response = await server.call('GET', '/', { token: null });
    assert.equal(response.status, 200);
    assert.match(String(response.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(response.headers['cache-control'], 'no-cache');
    const user = await server.createUser('login-wrong');
    const page = await openPage(browser, server);
    await page.locator('input[name="address"]').fill(user.address);
    await page.locator('input[name="password"]').fill('not the password');
    await page.locator('form button[type="submit"]').click();
    await page.getByRole('alert').filter({ hasText: 'Wrong address or password' }).waitFor();
    assert.deepEqual(pageErrors(page), []);
    await page.context().close();
  });

  test('a remembered device logs in again after a reload, without the password', async () => {
    const user = await server.createUser('login-remember');
    const page = await openPage(browser, server);
    await logInAs(page, user.address, user.password, { remember: true });
    await page.reload();
    await page.locator('nav.rail').waitFor({ state: 'visible' });
    assert.ok(await page.evaluate("localStorage.getItem('coo.device')"));
    await page.context().close();
  });

  test('a login elsewhere replaces the session, and the old page says by which device', async () => {
    const user = await server.createUser('login-replaced');
    const first = await openPage(browser, server);
    await logInAs(first, user.address, user.password);
    const second = await openPage(browser, server);
    await logInAs(second, user.address, user.password);
    const notice = first.locator('[data-reason="replaced"]');
    await notice.waitFor({ timeout: 10_000 });
    assert.match((await notice.textContent()) ?? '', /another device \(Chrome on Linux\)/);
    await first.context().close();
    await second.context().close();
  });

  test('a Japanese browser gets the Japanese interface, and the language can be switched', async () => {
    const page = await openPage(browser, server, { locale: 'ja-JP' });
    assert.equal(await page.locator('h1').textContent(), 'Coo ログイン');
    assert.equal(await page.evaluate('document.documentElement.lang'), 'ja');
    await page.getByRole('button', { name: 'English' }).click();
    assert.equal(await page.locator('h1').textContent(), 'Coo Log in');
    await page.context().close();
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { browserSuite, logInAs, openPage, pageErrors } from '../support/browser.ts';

describe('web client: login and sessions', () => {
  const world = browserSuite();

  test('the app is served with its security headers, and a wrong password says so', async () => {
    const response = await world.server.call('GET', '/', { token: null });
    assert.equal(response.status, 200);
    assert.match(String(response.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(response.headers['cache-control'], 'no-cache');
    const user = await world.server.createUser('login-wrong');
    const page = await openPage(world.browser, world.server);
    await page.locator('input[name="address"]').fill(user.address);
    await page.locator('input[name="password"]').fill('not the password');
    await page.locator('form button[type="submit"]').click();
    await page.getByRole('alert').filter({ hasText: 'Wrong address or password' }).waitFor();
    assert.deepEqual(pageErrors(page), []);
    await page.context().close();
  });

  test('a remembered device logs in again after a reload, without the password', async () => {
    const user = await world.server.createUser('login-remember');
    const page = await openPage(world.browser, world.server);
    await logInAs(page, user.address, user.password, { remember: true });
    await page.reload();
    await page.locator('nav.rail').waitFor({ state: 'visible' });
    assert.ok(await page.evaluate("localStorage.getItem('coo.device')"));
    await page.context().close();
  });

  test('a login elsewhere replaces the session, and the old page says by which device', async () => {
    const user = await world.server.createUser('login-replaced');
    const first = await openPage(world.browser, world.server);
    await logInAs(first, user.address, user.password);
    const second = await openPage(world.browser, world.server);
    await logInAs(second, user.address, user.password);
    const notice = first.locator('[data-reason="replaced"]');
    await notice.waitFor({ timeout: 10_000 });
    assert.match((await notice.textContent()) ?? '', /another device \(Chrome on Linux\)/);
    await first.context().close();
    await second.context().close();
  });

  test('a Japanese browser gets the Japanese interface, and the language can be switched', async () => {
    const page = await openPage(world.browser, world.server, { locale: 'ja-JP' });
    assert.equal(await page.locator('h1').textContent(), 'Coo ログイン');
    assert.equal(await page.evaluate('document.documentElement.lang'), 'ja');
    await page.getByRole('button', { name: 'English' }).click();
    assert.equal(await page.locator('h1').textContent(), 'Coo Log in');
    await page.context().close();
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { browserSuite, openAdminPage, pageErrors } from '../support/browser.ts';

const MIB = 1024 ** 2;

describe('web client: the limits in the console’s Settings', () => {
  const world = browserSuite();

  test('the admin lowers the upload limit in MB; it applies at once and is still there after a reload', async () => {
    const page = await openAdminPage(world.browser, world.server, '/#/admin/settings');
    const limits = page.getByRole('region', { name: 'Limits' });
    const form = limits.locator('form[data-setting="im.max-upload-size"]');
    await form.getByText('default (from config): 2 GB').waitFor();
    const amount = form.getByLabel('Largest file sent in the messenger');
    assert.equal(await amount.inputValue(), '2');
    assert.equal(await form.getByLabel('Unit').inputValue(), 'GB');

    // Out of range: told in the page, nothing sent.
    await amount.fill('0');
    await form.getByText('Give a size from 1 MB to 1024 GB.').waitFor();
    assert.equal(await form.getByRole('button', { name: 'Save' }).isDisabled(), true);

    await amount.fill('500');
    await form.getByLabel('Unit').selectOption('MB');
    await form.getByRole('button', { name: 'Save' }).click();
    await form
      .getByRole('status')
      .filter({ hasText: 'Largest file sent in the messenger changed.' })
      .waitFor();

    const stored = await world.server.call('GET', '/api/v1/settings/im.max-upload-size');
    assert.deepEqual([stored.json.value, stored.json.isDefault], [500 * MIB, false]);
    // The running server uses it: tus discovery announces the new limit.
    const discovery = await world.server.call('OPTIONS', '/api/v1/im/files', { token: null });
    assert.equal(discovery.headers['tus-max-size'], String(500 * MIB));

    await page.reload();
    const reloaded = page.locator('form[data-setting="im.max-upload-size"]');
    await reloaded.getByLabel('Largest file sent in the messenger').waitFor();
    assert.equal(await reloaded.getByLabel('Largest file sent in the messenger').inputValue(), '500');
    assert.equal(await reloaded.getByLabel('Unit').inputValue(), 'MB');
    assert.equal(await reloaded.locator('[data-default]').count(), 0, 'no longer the default');
    // The other limits still say where their value comes from.
    await page
      .locator('form[data-setting="mail.max-recipients"]')
      .getByText('default (from config): 100')
      .waitFor();
    assert.deepEqual(pageErrors(page), []);
    await page.context().close();
  });

  test('in Japanese, the limits and their validation messages are in Japanese; the server’s refusal is shown', async () => {
    const page = await openAdminPage(world.browser, world.server, '/#/admin/settings', { locale: 'ja-JP' });
    const limits = page.getByRole('region', { name: '上限' });
    const form = limits.locator('form[data-setting="mail.max-recipients"]');
    await form.getByText('既定値（設定ファイル）: 100').waitFor();
    const recipients = form.getByLabel('1 通のメールの宛先');
    await recipients.fill('0');
    await form.getByText('1〜10000 の整数で指定してください。').waitFor();

    // A value the server refuses (sent as 0 behind the form's back): its message is shown, nothing changes.
    const url = '**/api/v1/settings/mail.max-recipients';
    await page.route(url, (route) =>
      route.request().method() === 'PUT'
        ? route.continue({ postData: JSON.stringify({ value: 0 }) })
        : route.continue(),
    );
    await recipients.fill('30');
    await form.locator('button[type="submit"]').click();
    await form
      .getByRole('alert')
      .filter({ hasText: 'mail.max-recipients: expected a whole number from 1 to 10000' })
      .waitFor();
    await page.unroute(url);
    assert.equal(
      (await world.server.call('GET', '/api/v1/settings/mail.max-recipients')).json.isDefault,
      true,
    );

    await recipients.fill('20');
    await form.locator('button[type="submit"]').click();
    await form.getByRole('status').filter({ hasText: '1 通のメールの宛先 を変更しました。' }).waitFor();
    const stored = await world.server.call('GET', '/api/v1/settings/mail.max-recipients');
    assert.equal(stored.json.value, 20);
    // Chromium logs the refused PUT itself as a console error; nothing else may appear.
    assert.deepEqual(
      pageErrors(page).filter((line) => !line.includes('the server responded with a status of 400')),
      [],
    );
    await page.context().close();
  });
});

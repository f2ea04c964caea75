import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserSuite, logInAs, openPage, pageErrors } from '../support/browser.ts';
import type { ImTestServer, TestUser } from '../support/im-server.ts';

/** Moves the app to a route the way a link does, without reloading the page. */
async function go(page: Page, hash: string): Promise<void> {
  await page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);
}

async function openAs(
  browser: Browser,
  server: ImTestServer,
  user: TestUser,
  locale = 'en-US',
): Promise<Page> {
  const page = await openPage(browser, server, { locale });
  await logInAs(page, user.address, user.password);
  return page;
}

describe('web client: memos', () => {
  const world = browserSuite();
  const subject = 'Quarterly all-hands on Friday';
  let chika: TestUser;

  test('a memo to a whole department reaches each member, and its sender sees who read it and when, live', async () => {
    await world.server.createUnit('Memo Sales');
    const aiko = await world.server.createUser('memo-aiko', { name: 'Aiko Abe', unit: 'Memo Sales' });
    const ben = await world.server.createUser('memo-ben', { name: 'Ben Brown', unit: 'Memo Sales' });
    chika = await world.server.createUser('memo-chika', { name: 'Chika Chiba', unit: 'Memo Sales' });
    const boss = await world.server.createUser('memo-boss', { name: 'Dana Director' });

    const sender = await openAs(world.browser, world.server, boss);
    await go(sender, '#/memos/new');
    await sender.getByRole('button', { name: 'Choose departments' }).click();
    const unitBox = sender.getByRole('checkbox', { name: /Memo Sales/ });
    assert.match(
      (await sender.getByTestId('org-unit').filter({ has: unitBox }).textContent()) ?? '',
      /3 people/,
    );
    await unitBox.check();
    const chip = sender.getByTestId('recipient-chip');
    await chip.filter({ hasText: 'Memo Sales' }).waitFor();
    assert.match((await chip.textContent()) ?? '', /3 people/);
    await sender.getByRole('textbox', { name: /Subject/ }).fill(subject);
    await sender.getByRole('textbox', { name: 'Message' }).fill('Friday 15:00 in room A.\nPlease confirm.');
    await sender.getByRole('button', { name: 'Send', exact: true }).click();

    const view = sender.getByTestId('memo-view');
    await view.getByRole('heading', { name: subject }).waitFor();
    const receipts = sender.getByTestId('receipts');
    await receipts.getByText('Read by 0 of 3').waitFor();
    await receipts.getByRole('heading', { name: 'Not read yet (3)' }).waitFor();

    for (const reader of [aiko, ben]) {
      const page = await openAs(world.browser, world.server, reader);
      await go(page, '#/memos');
      const badge = page.getByTestId('memos-unread');
      await badge.filter({ hasText: '1' }).waitFor();
      const row = page.getByTestId('memo-row').filter({ hasText: subject });
      assert.equal(await row.getAttribute('data-unread'), 'true');
      const weight = await page.evaluate(
        "getComputedStyle(document.querySelector('[data-unread=true] .memo-row-subject')).fontWeight",
      );
      assert.equal(weight, '700', 'an unread memo is bold');
      assert.match((await row.textContent()) ?? '', /Dana Director/);
      await row.click();
      await page.getByTestId('memo-view').getByText('Friday 15:00 in room A.').waitFor();
      await page.getByText(/You confirmed reading it on /).waitFor();
      await page
        .getByTestId('memo-row')
        .filter({ hasText: subject })
        .and(page.locator('[data-unread="false"]'))
        .waitFor();
      await badge.waitFor({ state: 'detached' });
      assert.deepEqual(pageErrors(page), []);
      await page.context().close();
    }

    // The sender's page was never reloaded: the confirmations arrived as events.
    await receipts.getByText('Read by 2 of 3').waitFor();
    const read = sender.getByTestId('receipts-read').getByTestId('receipt');
    const unread = sender.getByTestId('receipts-unread').getByTestId('receipt');
    assert.deepEqual(await read.locator('.memo-receipt-who > span:first-child').allTextContents(), [
      'Aiko Abe',
      'Ben Brown',
    ]);
    for (const time of await read.locator('time').all()) {
      assert.match((await time.textContent()) ?? '', /\d{1,2}:\d{2}/);
      assert.ok(Date.parse((await time.getAttribute('datetime')) ?? '') > Date.now() - 60_000);
    }
    assert.deepEqual(await unread.locator('.memo-receipt-who > span:first-child').allTextContents(), [
      'Chika Chiba',
    ]);
    assert.equal(await unread.locator('time').count(), 0);

    await sender.getByRole('link', { name: 'Sent' }).click();
    await sender.getByTestId('memo-row').filter({ hasText: subject }).getByText('Read by 2 of 3').waitFor();
    assert.deepEqual(pageErrors(sender), []);
    await sender.context().close();
  });

  test('in Japanese: the inbox and the confirmation, a draft kept over a reload, and a refused recipient explained', async () => {
    const page = await openAs(world.browser, world.server, chika, 'ja-JP');
    await go(page, '#/memos');
    await page.getByRole('link', { name: /受信箱/ }).waitFor();
    await page.getByTestId('memos-unread').getByText('未読 1 件').waitFor();
    await page.getByTestId('memo-row').filter({ hasText: subject }).click();
    await page.getByText(/に既読を確認しました。/).waitFor();

    // A rule of the administrator: Memo Sales may not message Memo Secret.
    const secret = await world.server.createUser('memo-secret', { name: 'Sora Secret', unit: 'Memo Secret' });
    const rule = await world.server.call('POST', '/api/v1/rules', {
      body: {
        subject: { kind: 'unit', path: 'Memo Sales' },
        object: { kind: 'unit', path: 'Memo Secret' },
        permission: 'message',
        effect: 'deny',
      },
    });
    assert.equal(rule.status, 201, rule.text);

    await go(page, `#/memos/new/user/${secret.id}`);
    await page.getByTestId('recipient-chip').filter({ hasText: 'Sora Secret' }).waitFor();
    await page.getByRole('textbox', { name: '本文' }).fill('下書きも消えません');
    await page.reload();
    await page.getByRole('textbox', { name: '本文' }).waitFor();
    assert.equal(await page.getByRole('textbox', { name: '本文' }).inputValue(), '下書きも消えません');
    assert.equal(await page.getByTestId('recipient-chip').count(), 1);

    await page.getByRole('button', { name: '送信', exact: true }).click();
    const error = page.getByRole('alert').getByTestId('send-error');
    await error.waitFor();
    assert.match((await error.textContent()) ?? '', /あなたがメモを送れない人がいます/);
    await page.getByRole('button', { name: 'Sora Secret を宛先から外す' }).click();
    assert.equal(await page.getByTestId('recipient-chip').count(), 0);
    assert.deepEqual(pageErrors(page), []);
    await page.context().close();
  });
});

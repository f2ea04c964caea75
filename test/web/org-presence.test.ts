import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { browserSuite, logInAs, openPage, pageErrors, waitInPage } from '../support/browser.ts';
import type { TestUser } from '../support/im-server.ts';

/**
 * The org chart with live presence, and the status menu: two people of one
 * unit in two browser contexts, a third in Japanese on a phone-sized screen.
 */
describe('web client: org chart and presence', () => {
  // A short grace period, so a closed browser turns offline within the test.
  const world = browserSuite({ server: { messenger: { presence: { graceMs: 300 } } } });
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let tokyo: number;
  let pageA: Page;
  let pageB: Page;

  const row = (page: Page, name: string): Locator => page.getByTestId('person-row').filter({ hasText: name });
  const dot = (page: Page, name: string, state: string): Locator =>
    row(page, name).locator(`.presence-dot[data-state="${state}"]`);

  before(async () => {
    tokyo = (await world.server.createUnit('営業部/東京')).id;
    await world.server.createUnit('Engineering');
    alice = await world.server.createUser('org-alice', {
      name: 'Alice Adams',
      unit: '営業部/東京',
      title: 'Engineer',
      reading: 'アリス',
    });
    bob = await world.server.createUser('org-bob', {
      name: '山田 太郎',
      unit: '営業部/東京',
      title: '部長',
      reading: 'やまだ たろう',
      phone: '03-1234-5678',
    });
    carol = await world.server.createUser('org-carol', {
      name: '佐藤 花子',
      unit: 'Engineering',
      reading: 'さとう はなこ',
    });
    pageB = await openPage(world.browser, world.server);
    await logInAs(pageB, bob.address, bob.password);
    pageA = await openPage(world.browser, world.server);
    await logInAs(pageA, alice.address, alice.password);
  });

  test('A opens the org chart with the keyboard and sees B online, with the count online', async () => {
    await pageA.getByRole('link', { name: 'People' }).click();
    const tree = pageA.getByTestId('org-tree');
    const sales = tree.getByRole('treeitem', { name: /営業部/ });
    await sales.waitFor();
    assert.equal(await sales.getAttribute('aria-expanded'), 'true', 'a small tree opens its top level');
    await sales.focus();
    await pageA.keyboard.press('ArrowRight');
    await pageA.keyboard.press('Enter');
    await pageA.waitForURL(`**/#/org/unit/${tokyo}`);
    await dot(pageA, '山田 太郎', 'online').waitFor({ timeout: 10_000 });
    assert.equal(await row(pageA, '山田 太郎').getByRole('img').getAttribute('aria-label'), 'Online');
    await tree.getByRole('treeitem', { name: /^東京\W+2 of 2 online\W*$/ }).waitFor();
    await tree.getByRole('treeitem', { name: /^営業部\W+2 of 2 online\W*$/ }).waitFor();
    await pageA.getByText('2 people · 2 online').waitFor();
    await pageA.evaluate('window.__samePage = true');
  });

  test('B sets busy with a text from the status menu, by keyboard; A sees it change without a reload', async () => {
    const button = pageB.getByRole('button', { name: /^Your status: Online/ });
    await button.focus();
    await pageB.keyboard.press('Enter');
    const dialog = pageB.getByRole('dialog', { name: 'Your status' });
    await dialog.waitFor();
    // The checked radio has the focus; arrows pick the state, which applies at once.
    await pageB.keyboard.press('ArrowDown');
    await pageB.keyboard.press('ArrowDown');
    assert.equal(await dialog.getByRole('radio', { name: /Busy/ }).isChecked(), true);
    await dialog.getByLabel('Status text').fill('in a call');
    await pageB.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await pageB.getByRole('button', { name: 'Your status: Busy — in a call' }).waitFor();

    await dot(pageA, '山田 太郎', 'busy').waitFor({ timeout: 10_000 });
    await row(pageA, '山田 太郎').getByText('in a call').waitFor();
    assert.equal(await row(pageA, '山田 太郎').getByRole('img').getAttribute('aria-label'), 'Busy');
    assert.equal(await pageA.evaluate('window.__samePage'), true, 'no reload happened');
    await pageA.getByText('2 people · 2 online').waitFor();

    // Escape closes the menu and gives the focus back.
    await pageB.getByRole('button', { name: /^Your status/ }).click();
    await pageB.getByRole('dialog').waitFor();
    await pageB.keyboard.press('Escape');
    await pageB.getByRole('dialog').waitFor({ state: 'detached' });
    const focused = await pageB.evaluate<string>('document.activeElement?.getAttribute("aria-label") ?? ""');
    assert.match(focused, /Your status/);
  });

  test('search finds B by the reading in katakana and by title; the card shows phone and address', async () => {
    const search = pageA.getByRole('searchbox', { name: 'Search people' });
    await search.fill('ヤマダ');
    await row(pageA, '山田 太郎').waitFor();
    await pageA.getByText('1 found').waitFor();
    await search.fill('部長');
    await pageA.getByText('1 found').waitFor();
    assert.equal(await pageA.getByTestId('person-row').count(), 1);
    await row(pageA, '山田 太郎').waitFor();
    await search.fill('no such person');
    await pageA.getByText('No one matches “no such person”.').waitFor();
    await search.fill('やまだ');
    await row(pageA, '山田 太郎').click();
    await pageA.waitForURL(`**/#/org/unit/${tokyo}/person/${bob.id}`);

    const card = pageA.getByTestId('profile-card');
    await card.getByRole('heading', { name: '山田 太郎' }).waitFor();
    const text = (await card.textContent()) ?? '';
    for (const expected of [
      'やまだ たろう',
      '部長',
      '営業部/東京',
      '03-1234-5678',
      bob.address,
      'in a call',
      'Busy',
    ]) {
      assert.ok(text.includes(expected), `the card shows ${expected}: ${text}`);
    }
    // The chats page goes on from #/chats/with/ID to the conversation's own route at once:
    // record every route the page passes through rather than race for the current one.
    await pageA.evaluate(
      "window.cooRoutes = []; addEventListener('hashchange', () => window.cooRoutes.push(location.hash))",
    );
    await card.getByRole('button', { name: 'Chat' }).click();
    await waitInPage(pageA, `window.cooRoutes.includes('#/chats/with/${bob.id}')`);
  });

  test('B goes away: A sees B offline, and the count drops', async () => {
    await pageA.goto(`/#/org/unit/${tokyo}`);
    await dot(pageA, '山田 太郎', 'busy').waitFor({ timeout: 10_000 });
    assert.deepEqual(pageErrors(pageB), []);
    await pageB.context().close();
    await dot(pageA, '山田 太郎', 'offline').waitFor({ timeout: 10_000 });
    assert.equal(
      await row(pageA, '山田 太郎').getByText('in a call').count(),
      0,
      'an offline person has no text',
    );
    await pageA
      .getByTestId('org-tree')
      .getByRole('treeitem', { name: /^東京\W+1 of 2 online\W*$/ })
      .waitFor();
    await pageA.getByText('2 people · 1 online').waitFor();
    assert.deepEqual(pageErrors(pageA), []);
  });

  test('in Japanese on a phone: Japanese labels, and tree, people and card are successive screens', async () => {
    const page = await openPage(world.browser, world.server, {
      locale: 'ja-JP',
      viewport: { width: 390, height: 780 },
    });
    await logInAs(page, carol.address, carol.password);
    await page.goto('/#/org');
    await page.getByRole('searchbox', { name: '社員を検索' }).waitFor();
    await page.getByRole('button', { name: /^自分の状態: オンライン/ }).waitFor();
    const tokyoItem = page
      .getByTestId('org-tree')
      .getByRole('treeitem', { name: /^東京\W+2 人中 1 人がオンライン\W*$/ });
    await tokyoItem.waitFor();
    await tokyoItem.click();
    await page.waitForURL(`**/#/org/unit/${tokyo}`);
    assert.equal(await page.getByTestId('org-tree').isVisible(), false, 'the tree gives way to the people');
    await page.getByText('2 人・オンライン 1 人').waitFor();
    assert.equal(await row(page, 'Alice Adams').getByRole('img').getAttribute('aria-label'), 'オンライン');
    assert.equal(await row(page, '山田 太郎').getByRole('img').getAttribute('aria-label'), 'オフライン');
    await row(page, 'Alice Adams').click();
    const card = page.getByTestId('profile-card');
    await card.getByRole('button', { name: 'チャット' }).waitFor();
    await card.getByRole('button', { name: 'メモを送る' }).waitFor();
    assert.equal(
      await page.getByTestId('person-row').first().isVisible(),
      false,
      'the people give way to the card',
    );
    await page.getByRole('link', { name: /戻る/ }).click();
    await page.waitForURL(`**/#/org/unit/${tokyo}`);
    await row(page, 'Alice Adams').waitFor();
    assert.deepEqual(pageErrors(page), []);
    await page.context().close();
  });
});

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSuite, logInAs, openPage, pageErrors } from '../support/browser.ts';
import type { TestUser } from '../support/im-server.ts';

/** A conversation row of the list, by the name it shows. */
function row(page: Page, name: string) {
  return page.getByTestId('conversation').filter({ has: page.getByText(name, { exact: true }) });
}

function messageRow(page: Page, text: string) {
  return page.getByTestId('message').filter({ hasText: text });
}

async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByRole('textbox', { name: /^(Message|メッセージ)$/ });
  await composer.fill(text);
  await composer.press('Enter');
}

/** Starts a chat from "New chat" with the people named (a group when several). */
async function startChat(page: Page, names: string[], title?: string): Promise<void> {
  await page.getByRole('button', { name: 'New chat' }).click();
  const dialog = page.getByRole('dialog');
  for (const name of names) {
    await dialog.getByRole('searchbox', { name: 'Search people' }).fill(name.split(' ')[0] ?? name);
    await dialog.getByRole('button', { name: `Add ${name}` }).click();
  }
  if (title !== undefined) await dialog.getByLabel('Group name (optional)').fill(title);
  await dialog.getByRole('button', { name: names.length > 1 ? 'Create group' : 'Start chat' }).click();
  await page.waitForURL(/#\/chats\/\d+$/);
}

describe('web client: chats', () => {
  const world = browserSuite();
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let dan: TestUser;

  before(async () => {
    alice = await world.server.createUser('alice', { name: 'Alice Anders' });
    bob = await world.server.createUser('bob', { name: 'Bob Brown' });
    carol = await world.server.createUser('carol', { name: 'Carol Clark' });
    dan = await world.server.createUser('dan', { name: 'Dan Dunn' });
  });

  async function loggedIn(user: TestUser, locale?: string): Promise<Page> {
    const page = await openPage(world.browser, world.server, locale ? { locale } : {});
    await logInAs(page, user.address, user.password);
    return page;
  }

  test('a 1:1: live delivery with an unread badge, read receipt, typing, edit and delete', async () => {
    const a = await loggedIn(alice);
    const b = await loggedIn(bob);
    await startChat(a, ['Bob Brown']);
    assert.equal(await a.getByTestId('chat-title').textContent(), 'Bob Brown');
    await send(a, 'Hello Bob');
    await messageRow(a, 'Hello Bob').and(a.locator(':not([data-status])')).waitFor();

    // B, on the list, sees the new chat with one unread message and its preview.
    const bobsRow = row(b, 'Alice Anders');
    await bobsRow.getByTestId('unread-badge').filter({ hasText: '1' }).waitFor();
    assert.match((await bobsRow.textContent()) ?? '', /Hello Bob/);

    // B opens it: the badge goes, and A sees the message read.
    await bobsRow.getByRole('link').click();
    await messageRow(b, 'Hello Bob').waitFor();
    await bobsRow.getByTestId('unread-badge').waitFor({ state: 'detached' });
    await messageRow(a, 'Hello Bob').getByTestId('receipt').filter({ hasText: 'Read' }).waitFor();

    // B typing shows on A's side.
    await b.getByRole('textbox', { name: 'Message' }).pressSequentially('typing');
    await a.getByTestId('typing').filter({ hasText: 'Bob Brown is typing…' }).waitFor();

    // A edits, then deletes; B follows live.
    const mine = messageRow(a, 'Hello Bob');
    await mine.hover();
    await mine.getByRole('button', { name: 'Edit message' }).click();
    const editor = a.getByRole('textbox', { name: 'Edit message' });
    await editor.fill('Hello Bob, edited');
    await editor.press('Enter');
    await messageRow(b, 'Hello Bob, edited').filter({ hasText: '(edited)' }).waitFor();

    const edited = messageRow(a, 'Hello Bob, edited');
    await edited.hover();
    await edited.getByRole('button', { name: 'Delete' }).click();
    await edited.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
    await messageRow(b, 'This message was deleted.').waitFor();
    assert.equal(await messageRow(b, 'Hello Bob, edited').count(), 0);

    assert.deepEqual(pageErrors(a), []);
    assert.deepEqual(pageErrors(b), []);
    await a.context().close();
    await b.context().close();
  });

  test('a group of three: mentions from the member list, "read by" counts, renaming, the owner shown', async () => {
    const a = await loggedIn(alice);
    const b = await loggedIn(bob);
    const c = await loggedIn(carol);
    await startChat(a, ['Bob Brown', 'Carol Clark'], 'Launch');
    assert.equal(await a.getByTestId('chat-title').textContent(), 'Launch');

    const composer = a.getByRole('textbox', { name: 'Message' });
    await composer.pressSequentially('Hi @Bo');
    await a.getByRole('option', { name: /Bob Brown/ }).waitFor();
    await composer.press('Enter');
    assert.equal(await composer.inputValue(), 'Hi @bob@example.com ');
    await composer.pressSequentially('welcome');
    await composer.press('Enter');

    for (const page of [b, c]) {
      const launch = row(page, 'Launch');
      await launch.getByTestId('unread-badge').filter({ hasText: '1' }).waitFor();
      await launch.getByRole('link').click();
      await messageRow(page, 'welcome').waitFor();
    }
    // The mention is highlighted with the member's name.
    assert.equal(await messageRow(b, 'welcome').locator('.mention').textContent(), '@Bob Brown');
    await messageRow(a, 'welcome').getByTestId('receipt').filter({ hasText: 'Read by 2' }).waitFor();

    // Carol renames the group; everyone sees the new name, and the owner is Alice.
    await c.getByRole('button', { name: 'Conversation details' }).click();
    const details = c.getByRole('complementary', { name: 'Conversation details' });
    assert.match((await details.textContent()) ?? '', /Alice Anders owns this group/);
    assert.equal(await details.getByTestId('member').count(), 3);
    await details.getByLabel('Group name').fill('Launch 2');
    await details.getByRole('button', { name: 'Rename' }).click();
    await a.getByTestId('chat-title').filter({ hasText: 'Launch 2' }).waitFor();
    await row(b, 'Launch 2').waitFor();

    // Only the owner may remove people: Carol sees no remove buttons; Alice removes her and adds her back.
    assert.equal(await details.getByRole('button', { name: /from the group/ }).count(), 0);
    await a.getByRole('button', { name: 'Conversation details' }).click();
    const owners = a.getByRole('complementary', { name: 'Conversation details' });
    await owners.getByRole('button', { name: 'Remove Carol Clark from the group' }).click();
    await row(c, 'Launch 2').waitFor({ state: 'detached' });
    await owners.getByRole('searchbox', { name: 'Search people' }).fill('Carol');
    await owners.getByRole('button', { name: 'Add Carol Clark' }).click();
    await owners.getByRole('button', { name: 'Add', exact: true }).click();
    await row(c, 'Launch 2').waitFor();
    await owners.getByTestId('member').filter({ hasText: 'Carol Clark' }).waitFor();

    // Bob leaves: the chat leaves his list, and the members are Alice and Carol.
    await b.getByRole('button', { name: 'Conversation details' }).click();
    await b.getByRole('button', { name: 'Leave group' }).click();
    await b.getByRole('alertdialog').getByRole('button', { name: 'Leave group' }).click();
    await b.waitForURL(/#\/chats$/);
    await row(b, 'Launch 2').waitFor({ state: 'detached' });
    await owners.getByTestId('member').filter({ hasText: 'Bob Brown' }).waitFor({ state: 'detached' });
    assert.equal(await owners.getByTestId('member').count(), 2);

    for (const page of [a, b, c]) {
      assert.deepEqual(pageErrors(page), []);
      await page.context().close();
    }
  });

  test('a message written while the connection is down is sent once when it is back', async () => {
    const a = await loggedIn(alice);
    const b = await loggedIn(bob);
    // The route other features link to: opens the existing 1:1.
    await a.goto(`/#/chats/with/${bob.id}`);
    await a.waitForURL(/#\/chats\/\d+$/);
    await a.getByTestId('chat-title').filter({ hasText: 'Bob Brown' }).waitFor();
    await row(b, 'Alice Anders').getByRole('link').click();

    await a.context().setOffline(true);
    for (const connection of world.server.server.messenger.registry.ofUser(alice.id)) {
      connection.terminate('connection-lost');
    }
    await a
      .getByRole('status')
      .filter({ hasText: /Offline|Reconnecting/ })
      .first()
      .waitFor();
    await send(a, 'written offline');
    await messageRow(a, 'written offline').and(a.locator('[data-status="sending"]')).waitFor();
    assert.equal(await messageRow(b, 'written offline').count(), 0);

    await a.context().setOffline(false);
    await messageRow(b, 'written offline').waitFor({ timeout: 15_000 });
    await messageRow(a, 'written offline').and(a.locator(':not([data-status])')).waitFor();
    assert.equal(await messageRow(a, 'written offline').count(), 1);
    assert.equal(await messageRow(b, 'written offline').count(), 1);
    assert.equal(await a.evaluate(`localStorage.getItem('coo.chats.${alice.id}.outbox')`), null);
    await a.context().close();
    await b.context().close();
  });

  test('a long history is virtualized and scrolls back to its first message', async () => {
    const { messages, conversations } = world.server.server.messenger.messaging;
    const actor = (user: TestUser) => ({
      userId: user.id,
      address: user.address,
      protocol: 'ws',
      remote: '127.0.0.1',
    });
    const chat = await conversations.createDirect(actor(alice), dan.id);
    for (let i = 1; i <= 1000; i++) {
      const text = i % 10 === 0 ? `long ${i}\n${'several lines of text. '.repeat(20)}` : `history ${i}`;
      await messages.send(actor(i % 2 === 0 ? alice : dan), { conversationId: chat.id, text });
    }
    const a = await loggedIn(alice);
    await a.goto(`/#/chats/${chat.id}`);
    await messageRow(a, 'long 1000').waitFor();
    const scrollBy = (pixels: number) =>
      a.evaluate(`document.querySelector('[data-testid="message-list"]').scrollTop += ${pixels}`);
    const nextFrame = () => a.evaluate('new Promise((resolve) => requestAnimationFrame(resolve))');

    // At the top of the first page (the newest 50): the older page goes above, and the reader's place stays.
    const oldest = 951;
    await scrollBy(-1_000_000);
    await a.locator(`[data-testid="message"][data-seq="${oldest - 1}"]`).waitFor({ state: 'attached' });
    await nextFrame();
    const kept = await a.evaluate(`(() => {
      const list = document.querySelector('[data-testid="message-list"]').getBoundingClientRect();
      const row = document.querySelector('[data-testid="message"][data-seq="${oldest}"]')?.getBoundingClientRect();
      return row !== undefined && row.bottom > list.top && row.top < list.bottom;
    })()`);
    assert.equal(kept, true, `message ${oldest} left the screen when older messages came`);

    // Up to the first message: pages keep coming until the beginning is reached.
    const first = a.getByTestId('message').and(a.locator('[data-seq="1"]'));
    for (let step = 0; step < 400 && !(await first.isVisible()); step++) {
      await scrollBy(-4000);
      await nextFrame();
    }
    await first.filter({ hasText: 'history 1' }).waitFor();
    await a.getByText('This is the beginning of the conversation.').waitFor();
    const rendered = await a.getByTestId('message').count();
    assert.ok(rendered < 80, `${rendered} rows in the page for 1000 messages`);
    assert.deepEqual(pageErrors(a), []);
    await a.context().close();
  });

  test('a draft survives a reload', async () => {
    const a = await loggedIn(alice);
    await a.goto(`/#/chats/with/${carol.id}`);
    await a.waitForURL(/#\/chats\/\d+$/);
    await a.getByRole('textbox', { name: 'Message' }).fill('not sent yet');
    await a.reload();
    await a.getByRole('textbox', { name: 'Message' }).waitFor();
    assert.equal(await a.getByRole('textbox', { name: 'Message' }).inputValue(), 'not sent yet');
    await a.context().close();
  });

  test('a visibility rule forbidding the chat shows a localized error instead of sending', async () => {
    const dave = await world.server.createUser('dave', { name: 'Dave Doe', unit: 'Sales' });
    const erin = await world.server.createUser('erin', { name: 'Erin Eto', unit: 'Research' });
    const d = await loggedIn(dave, 'ja-JP');
    const e = await loggedIn(erin);
    await d.goto(`/#/chats/with/${erin.id}`);
    await d.waitForURL(/#\/chats\/\d+$/);
    await send(d, 'before the rule');
    await row(e, 'Dave Doe').getByTestId('unread-badge').waitFor();

    const rule = await world.server.call('POST', '/api/v1/rules', {
      body: {
        subject: { kind: 'unit', path: 'Sales' },
        object: { kind: 'unit', path: 'Research' },
        permission: 'message',
        effect: 'deny',
      },
    });
    assert.equal(rule.status, 201, rule.text);
    await send(d, 'after the rule');
    const failed = messageRow(d, 'after the rule');
    await failed.getByRole('alert').filter({ hasText: '管理者のルールで禁止されています' }).waitFor();
    assert.equal(await failed.getAttribute('data-status'), 'failed');
    assert.ok(await failed.getByRole('button', { name: '再試行' }).isVisible());

    await row(e, 'Dave Doe').getByRole('link').click();
    await messageRow(e, 'before the rule').waitFor();
    assert.equal(await messageRow(e, 'after the rule').count(), 0);
    await d.context().close();
    await e.context().close();
  });
});

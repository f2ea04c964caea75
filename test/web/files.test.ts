import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { browserSuite, logInAs, openPage, pageErrors, waitInPage } from '../support/browser.ts';
import type { TestUser } from '../support/im-server.ts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function messageRow(page: Page, text: string) {
  return page.getByTestId('message').filter({ hasText: text });
}

describe('web client: file transfer', () => {
  const world = browserSuite();
  let alice: TestUser;
  let bob: TestUser;
  let a: Page;
  let b: Page;

  before(async () => {
    alice = await world.server.createUser('alice', { name: 'Alice Anders' });
    bob = await world.server.createUser('bob', { name: 'Bob Brown' });
    a = await openPage(world.browser, world.server);
    await logInAs(a, alice.address, alice.password);
    b = await openPage(world.browser, world.server);
    await logInAs(b, bob.address, bob.password);
    await a.goto(`/#/chats/with/${bob.id}`);
    await a.waitForURL(/#\/chats\/\d+$/);
    const id = /#\/chats\/(\d+)$/.exec(a.url())?.[1] ?? '';
    await b.goto(`/#/chats/${id}`);
    await b.getByTestId('chat-title').filter({ hasText: 'Alice Anders' }).waitFor();
  });
  after(() => {
    assert.deepEqual(pageErrors(a), []);
    assert.deepEqual(pageErrors(b), []);
  });

  test('a file sent from the file input reaches the other side, who downloads the same bytes', async () => {
    // Several chunks (a chunk is at least 256 KiB), so the bar moves and PATCH resumes are exercised.
    const bytes = randomBytes(3 * 1024 * 1024 + 123);
    await a.locator('input[type="file"]').setInputFiles({
      name: '見積書 2026.bin',
      mimeType: 'application/octet-stream',
      buffer: bytes,
    });
    const chip = a.getByTestId('upload').filter({ hasText: '見積書 2026.bin' });
    await chip.filter({ hasText: 'Ready to send' }).waitFor({ timeout: 20_000 });
    const composer = a.getByRole('textbox', { name: 'Message' });
    await composer.fill('the estimate');
    await composer.press('Enter');
    await chip.waitFor({ state: 'detached' });

    const received = messageRow(b, 'the estimate');
    await received.getByTestId('attachment').filter({ hasText: '見積書 2026.bin' }).waitFor();
    const [download] = await Promise.all([
      b.waitForEvent('download'),
      received.getByRole('button', { name: 'Download 見積書 2026.bin' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), '見積書 2026.bin');
    // Straight from the server with a ticket, not through the page's memory as a blob: URL.
    assert.match(download.url(), /\/api\/v1\/im\/files\/[0-9a-f]{32}\?ticket=/);
    const path = await download.path();
    assert.equal(sha256(await readFile(path)), sha256(bytes));
  });

  test('an image shows its preview, and opens in full', async () => {
    const png = await sharp({
      create: { width: 1200, height: 800, channels: 3, background: { r: 200, g: 40, b: 40 } },
    })
      .png()
      .toBuffer();
    await a
      .locator('input[type="file"]')
      .setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: png });
    await a.getByTestId('upload').filter({ hasText: 'Ready to send' }).waitFor({ timeout: 20_000 });
    await a.getByRole('button', { name: 'Send' }).click();

    const preview = b.getByRole('img', { name: 'Preview of photo.png' });
    await preview.waitFor();
    await waitInPage(b, `document.querySelector('img[alt="Preview of photo.png"]')?.naturalWidth === 480`);
    await b.getByRole('button', { name: 'Show photo.png' }).click();
    const full = b.getByRole('dialog', { name: 'photo.png' }).getByRole('img', { name: 'photo.png' });
    await full.waitFor();
    await waitInPage(b, `document.querySelector('dialog img[alt="photo.png"]')?.naturalWidth === 1200`);
    await b.getByRole('button', { name: 'Close' }).click();
  });

  test('a file dropped on the chat is uploaded and sent', async () => {
    const dataTransfer = await a.evaluateHandle(`(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['dropped content'], 'notes.txt', { type: 'text/plain' }));
      return transfer;
    })()`);
    const chat = a.locator('.chat-main');
    await chat.dispatchEvent('dragenter', { dataTransfer });
    await a.getByText('Drop files to send them here').waitFor();
    await chat.dispatchEvent('drop', { dataTransfer });
    await a.getByTestId('upload').filter({ hasText: 'Ready to send' }).waitFor();
    await a.getByRole('textbox', { name: 'Message' }).press('Enter');
    await b.getByTestId('attachment').filter({ hasText: 'notes.txt' }).waitFor();
  });
});

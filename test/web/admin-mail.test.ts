import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configuredBlobStore } from '../../src/blob/blob-store.ts';
import { insertQueueRows, listQueueRows } from '../../src/store/mail-queue.ts';
import { browserSuite, openAdminPage, pageErrors } from '../support/browser.ts';
import { DOMAIN } from '../support/im-server.ts';

const RECIPIENT = 'someone@remote.example';

describe('web client: administration console, mail', () => {
  const world = browserSuite();

  test('the admin sees the DNS records of the domain, and deletes a queued message', async () => {
    // A message waiting for tomorrow, so the running queue does not touch it during the test.
    const body = Buffer.from('Subject: waiting\r\n\r\nhello\r\n');
    const blob = await configuredBlobStore(world.server.services.config, world.server.services.store.db).put(
      body,
    );
    const now = Date.now();
    await insertQueueRows(
      world.server.services.store.db,
      [
        {
          sender: world.server.admin.address,
          recipient: RECIPIENT,
          domain: 'remote.example',
          blobSha256: blob.id,
          size: body.length,
          originUserId: null,
          kind: 'submission',
          options: '{}',
          nextAttemptAt: now + 24 * 60 * 60 * 1000,
          lastError: '451 4.4.1 no answer from remote.example',
        },
      ],
      now,
    );

    const page = await openAdminPage(world.browser, world.server, '/#/admin/mail', { heading: 'Mail' });

    const dns = page.getByTestId('mail-dns').locator(`[data-domain="${DOMAIN}"]`);
    const mx = dns.locator('tr[data-type="MX"]');
    await mx.waitFor();
    assert.match(await mx.innerText(), new RegExp(`${DOMAIN.replace('.', '\\.')}\\.\\s+10 \\S+\\.`));
    const dkim = dns.getByRole('row').filter({ hasText: '._domainkey.' });
    await dkim.waitFor();
    assert.match(await dkim.innerText(), /v=DKIM1; k=rsa; p=[A-Za-z0-9+/]{100,}/);
    assert.equal(await mx.getByRole('button', { name: /^Copy the value of MX/ }).count(), 1);

    const queue = page.getByTestId('mail-queue');
    const row = queue.getByRole('row').filter({ hasText: RECIPIENT });
    await row.waitFor();
    assert.match(await row.innerText(), /no answer from remote\.example/);
    await row.getByRole('button', { name: 'Delete' }).click();
    await row.getByRole('button', { name: 'Delete without telling the sender' }).click();
    await queue.getByRole('status').filter({ hasText: 'deleted.' }).waitFor();
    await row.waitFor({ state: 'detached' });
    await queue.getByText('No mail in the queue.').waitFor();

    const left = await listQueueRows(world.server.services.store.db);
    assert.equal(left.filter((r) => r.recipient === RECIPIENT).length, 0);
    assert.deepEqual(pageErrors(page), []);
    await page.context().close();
  });
});

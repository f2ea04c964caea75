import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { generateSelfSignedCertificate, type TlsKeyPair } from '../../src/tls/self-signed.ts';
import { launchBrowser, logInAs, openPage, pageErrors, waitInPage } from '../support/browser.ts';
import { startImServer, type ImTestServer } from '../support/im-server.ts';
import { peerCertificate } from '../support/tls-peer.ts';

function pemFile(name: string, text: string) {
  return { name, mimeType: 'application/x-pem-file', buffer: Buffer.from(text) };
}

async function openSettings(browser: Browser, server: ImTestServer, locale?: string): Promise<Page> {
  const page = await openPage(browser, server, { locale });
  await logInAs(page, server.admin.address, server.admin.password);
  await page.goto('/#/admin/settings');
  return page;
}

describe('web client: replacing the TLS certificate in the console', () => {
  let server: ImTestServer;
  let browser: Browser;
  let replacement: TlsKeyPair;
  let stranger: TlsKeyPair;

  before(async () => {
    server = await startImServer();
    browser = await launchBrowser();
    [replacement, stranger] = await Promise.all([
      generateSelfSignedCertificate('chat.example.com'),
      generateSelfSignedCertificate('stranger.example.com'),
    ]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a key of another certificate is refused with a message in the page’s language; nothing changes', async () => {
    const port = server.server.address('http')?.port ?? 0;
    const before = (await peerCertificate(port)).fingerprint256;
    for (const [locale, message] of [
      ['en-US', 'The private key does not match the certificate.'],
      ['ja-JP', '秘密鍵が証明書と一致しません。'],
    ] as const) {
      const page = await openSettings(browser, server, locale);
      const form = page.locator('form.certificate-form');
      await form.locator('textarea[name="certificate"]').fill(replacement.certPem);
      await form.locator('textarea[name="privateKey"]').fill(stranger.keyPem);
      await form.locator('button[type="submit"]').click();
      await form.getByRole('alert').filter({ hasText: message }).waitFor();
      // Chromium logs the refused PUT itself as a console error; nothing else may appear.
      assert.deepEqual(
        pageErrors(page).filter((line) => !line.includes('the server responded with a status of 400')),
        [],
      );
      await page.context().close();
    }
    assert.equal((await peerCertificate(port)).fingerprint256, before);
  });

  test('an admin uploads a certificate and its key as files and sees the new subject; new connections get it', async () => {
    const page = await openSettings(browser, server);
    const card = page.getByRole('article', { name: 'TLS certificate' });
    // Self-signed: subject and issuer are the same name, the subject first.
    await card.getByText('CN=example.com', { exact: true }).first().waitFor();

    await page.getByLabel('Certificate file').setInputFiles(pemFile('chat.crt', replacement.certPem));
    await page.getByLabel('Private key file').setInputFiles(pemFile('chat.key', replacement.keyPem));
    // The browser reads the files into the two fields.
    await waitInPage(
      page,
      `[...document.querySelectorAll('form.certificate-form textarea')].every((field) => field.value.includes('-----END'))`,
    );
    assert.equal(await page.getByLabel('Certificate (PEM)').inputValue(), replacement.certPem);
    await page.getByRole('button', { name: 'Replace certificate' }).click();

    await page
      .getByRole('status')
      .filter({ hasText: 'Certificate replaced: CN=chat.example.com, valid until' })
      .waitFor();
    await card.getByText('CN=chat.example.com', { exact: true }).first().waitFor();
    assert.equal(
      await page.locator('textarea[name="privateKey"]').inputValue(),
      '',
      'the key leaves the page',
    );

    const fingerprint = new X509Certificate(replacement.certPem).fingerprint256;
    assert.equal(
      (await peerCertificate(server.server.address('http')?.port ?? 0)).fingerprint256,
      fingerprint,
    );
    assert.equal(readFileSync(path.join(server.dataDir, 'tls', 'cert.pem'), 'utf8'), replacement.certPem);
    const [entry] = await server.services.audit.query({ action: 'tls.replace', limit: 1 });
    assert.equal(entry?.actor, server.admin.address);
    assert.deepEqual(pageErrors(page), []);
    await page.context().close();
  });
});

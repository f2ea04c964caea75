import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { generateSelfSignedCertificate, type TlsKeyPair } from '../../src/tls/self-signed.ts';
import { browserSuite, openAdminPage, pageErrors, waitInPage } from '../support/browser.ts';
import { peerCertificate } from '../support/tls-peer.ts';

function pemFile(name: string, text: string) {
  return { name, mimeType: 'application/x-pem-file', buffer: Buffer.from(text) };
}

describe('web client: replacing the TLS certificate in the console', () => {
  const world = browserSuite();
  let replacement: TlsKeyPair;
  let stranger: TlsKeyPair;

  before(async () => {
    [replacement, stranger] = await Promise.all([
      generateSelfSignedCertificate('chat.example.com'),
      generateSelfSignedCertificate('stranger.example.com'),
    ]);
  });

  test('a key of another certificate is refused with a message in the page’s language; nothing changes', async () => {
    const port = world.server.server.address('http')?.port ?? 0;
    const before = (await peerCertificate(port)).fingerprint256;
    for (const [locale, message] of [
      ['en-US', 'The private key does not match the certificate.'],
      ['ja-JP', '秘密鍵が証明書と一致しません。'],
    ] as const) {
      const page = await openAdminPage(world.browser, world.server, '/#/admin/settings', { locale });
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
    const page = await openAdminPage(world.browser, world.server, '/#/admin/settings');
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
      (await peerCertificate(world.server.server.address('http')?.port ?? 0)).fingerprint256,
      fingerprint,
    );
    assert.equal(
      readFileSync(path.join(world.server.dataDir, 'tls', 'cert.pem'), 'utf8'),
      replacement.certPem,
    );
    const [entry] = await world.server.services.audit.query({ action: 'tls.replace', limit: 1 });
    assert.equal(entry?.actor, world.server.admin.address);
    assert.deepEqual(pageErrors(page), []);
    await page.context().close();
  });
});

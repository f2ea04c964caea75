import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateSelfSignedCertificate, type TlsKeyPair } from './self-signed.ts';
import { loadTlsFiles, writeTlsFiles } from './tls-files.ts';

describe('TLS files', () => {
  let dir: string;
  let pair: TlsKeyPair;
  let otherPair: TlsKeyPair;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'coo-tls-'));
    [pair, otherPair] = await Promise.all([
      generateSelfSignedCertificate('mail.example.com'),
      generateSelfSignedCertificate('other.example.com'),
    ]);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes both files, creating folders, with the key readable by its owner only, and loads them back', async () => {
    const certPath = path.join(dir, 'round-trip', 'tls', 'cert.pem');
    const keyPath = path.join(dir, 'round-trip', 'tls', 'key.pem');
    await writeTlsFiles(certPath, keyPath, pair);
    assert.equal(statSync(keyPath).mode & 0o777, 0o600);
    assert.equal(statSync(certPath).mode & 0o777, 0o644);
    const loaded = await loadTlsFiles(certPath, keyPath);
    assert.equal(loaded.certPem, pair.certPem);
    assert.equal(loaded.keyPem, pair.keyPem);
    assert.equal(loaded.certificate.subject, 'CN=mail.example.com');
  });

  it('refuses to overwrite existing files unless told to', async () => {
    const certPath = path.join(dir, 'existing', 'cert.pem');
    const keyPath = path.join(dir, 'existing', 'key.pem');
    await writeTlsFiles(certPath, keyPath, pair);
    await assert.rejects(writeTlsFiles(certPath, keyPath, otherPair), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'FILE_EXISTS');
      assert.ok(error.message.includes(certPath), error.message);
      return true;
    });
    assert.equal(readFileSync(certPath, 'utf8'), pair.certPem);
    await writeTlsFiles(certPath, keyPath, otherPair, { overwrite: true });
    assert.equal((await loadTlsFiles(certPath, keyPath)).certificate.subject, 'CN=other.example.com');
    assert.equal(statSync(keyPath).mode & 0o777, 0o600);
  });

  it('refuses a key that does not belong to the certificate, naming the key file', async () => {
    const certPath = path.join(dir, 'mismatch-cert.pem');
    const keyPath = path.join(dir, 'mismatch-key.pem');
    writeFileSync(certPath, pair.certPem);
    writeFileSync(keyPath, otherPair.keyPem);
    await assert.rejects(loadTlsFiles(certPath, keyPath), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'CONFIG_INVALID');
      assert.ok(error.message.includes(keyPath), error.message);
      assert.match(error.message, /does not belong/);
      return true;
    });
  });

  it('names the file that is missing or does not parse', async () => {
    const good = path.join(dir, 'good');
    await writeTlsFiles(path.join(good, 'cert.pem'), path.join(good, 'key.pem'), pair);
    const garbage = path.join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a pem file\n');
    const missing = path.join(dir, 'missing.pem');
    const cases: [string, string, string][] = [
      [missing, path.join(good, 'key.pem'), missing],
      [path.join(good, 'cert.pem'), missing, missing],
      [garbage, path.join(good, 'key.pem'), garbage],
      [path.join(good, 'cert.pem'), garbage, garbage],
      // The certificate given as the key, a common slip.
      [path.join(good, 'cert.pem'), path.join(good, 'cert.pem'), 'private key'],
    ];
    for (const [certPath, keyPath, named] of cases) {
      await assert.rejects(loadTlsFiles(certPath, keyPath), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'CONFIG_INVALID');
        assert.ok(error.message.includes(named), error.message);
        return true;
      });
    }
  });
});

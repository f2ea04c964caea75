import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../src/config/loader.ts';
import { openServices } from '../src/services.ts';
import { generateSelfSignedCertificate, type TlsKeyPair } from '../src/tls/self-signed.ts';
import { TLS_FILE_POLL_MS } from '../src/tls/tls-certificates.ts';
import { cooOn, DataDirTemplate, oneLine, startServe, tempDir, type ServeProcess } from './support/cli.ts';
import { peerCertificate, waitForPeerFingerprint } from './support/tls-peer.ts';

/** Writes a pair as two files an admin would pass to `coo tls install`. */
function pairFiles(dir: string, name: string, pair: TlsKeyPair): { cert: string; key: string } {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  writeFileSync(cert, pair.certPem);
  writeFileSync(key, pair.keyPem);
  return { cert, key };
}

async function lastTlsAudit(dataDir: string) {
  const services = await openServices(loadConfig(dataDir));
  try {
    return (await services.audit.query({ action: 'tls.replace', limit: 1 }))[0];
  } finally {
    await services.close();
  }
}

describe('coo tls', { concurrency: true }, () => {
  const template = new DataDirTemplate();
  const files = tempDir('coo-tls-files-');
  const running: ServeProcess[] = [];
  let fresh: TlsKeyPair;
  let other: TlsKeyPair;

  before(async () => {
    [fresh, other] = await Promise.all([
      generateSelfSignedCertificate('localhost'),
      generateSelfSignedCertificate('other.example.com'),
      template.create(),
    ]);
  });
  after(async () => {
    await Promise.all(running.map((serve) => serve.stop('SIGKILL')));
    template.remove();
    files.remove();
  });

  test('tls show prints what the certificate says, and --json the same as the API', async () => {
    const coo = cooOn(template.copy());
    const shown = await coo(['tls', 'show']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^subject +CN=mail\.example\.com$/m);
    assert.match(shown.stdout, /^issuer +CN=mail\.example\.com \(self-signed\)$/m);
    assert.match(shown.stdout, /^names +mail\.example\.com, localhost, 127\.0\.0\.1, ::1$/m);
    assert.match(shown.stdout, /^valid until +\S+ \(36\d\d days left\)$/m);
    assert.match(shown.stdout, /^sha-256 +([0-9A-F]{2}:){31}[0-9A-F]{2}$/m);
    const json = await coo(['tls', 'show', '--json']);
    const info = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.equal(info.subject, 'CN=mail.example.com');
    assert.deepEqual(info.ipAddresses, ['127.0.0.1', '::1']);
  });

  test('tls install checks and writes the files with no server running, and records tls.replace', async () => {
    const dataDir = template.copy();
    const coo = cooOn(dataDir);
    const given = pairFiles(files.dir, 'install', fresh);
    const result = await coo(['tls', 'install', '--cert', given.cert, '--key', given.key]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^installed CN=localhost, valid until /);
    assert.equal(readFileSync(path.join(dataDir, 'tls', 'cert.pem'), 'utf8'), fresh.certPem);
    assert.equal(readFileSync(path.join(dataDir, 'tls', 'key.pem'), 'utf8'), fresh.keyPem);
    assert.equal(statSync(path.join(dataDir, 'tls', 'key.pem')).mode & 0o777, 0o600);
    assert.match((await coo(['tls', 'show'])).stdout, /^subject +CN=localhost$/m);
    const entry = await lastTlsAudit(dataDir);
    assert.equal(entry?.actor, 'cli');
    assert.equal(entry?.target, 'CN=localhost');
  });

  test('tls install refuses a key of another certificate in one line, exit 1, and writes nothing', async () => {
    const dataDir = template.copy();
    const coo = cooOn(dataDir);
    const before = readFileSync(path.join(dataDir, 'tls', 'cert.pem'), 'utf8');
    const cert = pairFiles(files.dir, 'mismatch-a', fresh).cert;
    const key = pairFiles(files.dir, 'mismatch-b', other).key;
    const result = await coo(['tls', 'install', '--cert', cert, '--key', key]);
    assert.equal(result.code, 1);
    assert.match(oneLine(result), /^coo: the private key does not match the certificate \(CN=localhost\)/);
    assert.equal(readFileSync(path.join(dataDir, 'tls', 'cert.pem'), 'utf8'), before);
    assert.equal(await lastTlsAudit(dataDir), undefined);

    const missing = await coo(['tls', 'install', '--cert', cert]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^coo: tls install: missing --key$/m);
    const unreadable = await coo([
      'tls',
      'install',
      '--cert',
      cert,
      '--key',
      path.join(files.dir, 'none.key'),
    ]);
    assert.equal(unreadable.code, 1);
    assert.match(oneLine(unreadable), /^coo: --key .*none\.key cannot be read: ENOENT/);
    const help = await coo(['tls', '--help']);
    assert.match(help.stdout, /^Usage: coo tls /);
  });

  test('tls install while coo serve runs: the server presents the new certificate within the poll interval', async () => {
    const dataDir = template.copy();
    const serve = startServe(['--data', dataDir]);
    running.push(serve);
    const httpLine = () => serve.logLines().find((line) => line.listener === 'http' && 'address' in line);
    await serve.waitFor(() => httpLine() !== undefined);
    const port = Number(String(httpLine()?.address).split(':')[1]);
    const original = (await peerCertificate(port)).fingerprint256;

    const given = pairFiles(files.dir, 'running', fresh);
    const result = await cooOn(dataDir)(['tls', 'install', '--cert', given.cert, '--key', given.key]);
    assert.equal(result.code, 0, result.stderr);
    const wanted = new X509Certificate(fresh.certPem).fingerprint256;
    assert.notEqual(original, wanted);
    // The files were written before the command exited: the next poll, at most one interval later, takes them.
    const took = await waitForPeerFingerprint(port, wanted, { timeoutMs: 3 * TLS_FILE_POLL_MS });
    assert.ok(took <= TLS_FILE_POLL_MS + 1000, `switched after ${took} ms`);
    await peerCertificate(port, { ca: fresh.certPem });
    assert.ok(
      serve.logLines().some((line) => line.msg === 'TLS certificate replaced; new connections use it'),
      'the server logs the switch',
    );
    assert.deepEqual(await serve.stop('SIGTERM'), { code: 0, signal: null });
  });
});

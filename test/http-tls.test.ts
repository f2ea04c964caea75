import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import { generateSelfSignedCertificate, type TlsKeyPair } from '../src/tls/self-signed.ts';
import { startTestServer, type TestServer } from './support/http-server.ts';
import { call, type ApiResponse } from './support/rest-call.ts';
import { peerCertificate } from './support/tls-peer.ts';

describe('PUT /api/v1/tls/certificate on a running server', () => {
  let server: TestServer;
  let port: number;
  let original: string;
  let replacement: TlsKeyPair;
  let stranger: TlsKeyPair;
  let agent: Agent;
  /** A REST call on a client that trusts the original certificate and the replacement, on new connections. */
  let api: (method: string, urlPath: string, body?: unknown) => Promise<ApiResponse>;

  before(async () => {
    server = await startTestServer('sqlite');
    port = server.server.address('http')?.port ?? 0;
    original = readFileSync(path.join(server.dataDir, 'tls', 'cert.pem'), 'utf8');
    [replacement, stranger] = await Promise.all([
      generateSelfSignedCertificate('localhost'),
      generateSelfSignedCertificate('stranger.example.com'),
    ]);
    agent = new Agent({ connect: { ca: [original, replacement.certPem], servername: 'localhost' } });
    api = (method, urlPath, body) => call(agent, server.baseUrl, server.token, method, urlPath, { body });
  });
  after(async () => {
    await agent?.close();
    await server?.stop();
  });

  test('GET says what the certificate being served says', async () => {
    const response = await api('GET', '/api/v1/tls/certificate');
    assert.equal(response.status, 200, response.text);
    const served = await peerCertificate(port, { ca: original });
    assert.equal(response.json.fingerprint256, served.fingerprint256);
    assert.equal(response.json.selfSigned, true);
    assert.equal(response.json.chainLength, 1);
    assert.ok(response.json.ipAddresses.includes('127.0.0.1'));
    assert.ok(Date.parse(response.json.notAfter) > Date.now());
  });

  test('a key of another certificate is refused with TLS_INVALID, and the old certificate stays in use', async () => {
    const before = (await peerCertificate(port)).fingerprint256;
    const response = await api('PUT', '/api/v1/tls/certificate', {
      certificate: replacement.certPem,
      privateKey: stranger.keyPem,
    });
    assert.equal(response.status, 400, response.text);
    assert.equal(response.json.error.code, 'TLS_INVALID');
    assert.match(response.json.error.message, /private key does not match the certificate/);
    assert.deepEqual(
      response.json.error.details.map((detail: { field: string; reason: string }) => [
        detail.field,
        detail.reason,
      ]),
      [['privateKey', 'key-mismatch']],
    );
    assert.equal((await peerCertificate(port)).fingerprint256, before);
    assert.equal(readFileSync(path.join(server.dataDir, 'tls', 'cert.pem'), 'utf8'), original);

    const notPem = await api('PUT', '/api/v1/tls/certificate', {
      certificate: 'MIIB… pasted without its armour',
      privateKey: replacement.keyPem,
    });
    assert.equal(notPem.status, 400);
    assert.equal(notPem.json.error.code, 'TLS_INVALID');
    assert.match(notPem.json.error.message, /not PEM/);
  });

  test('a new certificate is used by the next TLS connection at once, on disk, and audited without the key', async () => {
    const response = await api('PUT', '/api/v1/tls/certificate', {
      certificate: replacement.certPem,
      privateKey: replacement.keyPem,
    });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.json.subject, 'CN=localhost');

    // A client that trusts only the new certificate completes the handshake: no restart happened.
    const served = await peerCertificate(port, { ca: replacement.certPem });
    assert.equal(served.fingerprint256, response.json.fingerprint256);
    await assert.rejects(peerCertificate(port, { ca: original }), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });

    const certPath = path.join(server.dataDir, 'tls', 'cert.pem');
    const keyPath = path.join(server.dataDir, 'tls', 'key.pem');
    assert.equal(readFileSync(certPath, 'utf8'), replacement.certPem);
    assert.equal(readFileSync(keyPath, 'utf8'), replacement.keyPem);
    assert.equal(statSync(keyPath).mode & 0o777, 0o600);

    const [entry] = await server.server.services.audit.query({ action: 'tls.replace', limit: 1 });
    assert.equal(entry?.actor, 'admin@example.com');
    assert.equal(entry?.protocol, 'http');
    assert.equal(entry?.target, 'CN=localhost');
    assert.equal(entry?.details.fingerprint256, served.fingerprint256);
    assert.ok(!JSON.stringify(entry).includes('PRIVATE KEY'));

    // The API answers over the new certificate, and says it is the one in use.
    const fresh = new Agent({ connect: { ca: replacement.certPem, servername: 'localhost' } });
    try {
      const shown = await call(fresh, server.baseUrl, server.token, 'GET', '/api/v1/tls/certificate', {});
      assert.equal(shown.status, 200);
      assert.equal(shown.json.fingerprint256, served.fingerprint256);
    } finally {
      await fresh.close();
    }
  });
});

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { generateSelfSignedCertificate, type TlsKeyPair } from './self-signed.ts';

const HOSTNAME = 'mail.example.com';

/** Resolves with the server's certificate once the handshake and its verification passed. */
function handshake(port: number, options: tls.ConnectionOptions): Promise<tls.PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...options }, () => {
      const certificate = socket.getPeerCertificate();
      socket.end();
      resolve(certificate);
    });
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('TLS handshake timed out')));
  });
}

describe('generateSelfSignedCertificate', () => {
  let pair: TlsKeyPair;
  let server: tls.Server;
  let port: number;

  before(async () => {
    pair = await generateSelfSignedCertificate(HOSTNAME);
    server = tls.createServer({ cert: pair.certPem, key: pair.keyPem }, (socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('serves TLS that a client trusting the certificate accepts for the host name', async () => {
    const peer = await handshake(port, { ca: pair.certPem, servername: HOSTNAME });
    assert.equal(peer.subject.CN, HOSTNAME);
  });

  it('is also valid for localhost and 127.0.0.1, and ::1', async () => {
    await handshake(port, { ca: pair.certPem, servername: 'localhost' });
    // No servername: the client checks the IP address it connected to.
    const peer = await handshake(port, { ca: pair.certPem });
    assert.equal(tls.checkServerIdentity('::1', peer), undefined);
  });

  it('is refused for another host name, and by a client that does not trust it', async () => {
    await assert.rejects(handshake(port, { ca: pair.certPem, servername: 'other.example.com' }), {
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    await assert.rejects(handshake(port, { servername: HOSTNAME }), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('uses ECDSA P-256, lasts about ten years, is no CA, and lists each name once', async () => {
    const certificate = new X509Certificate(pair.certPem);
    assert.equal(certificate.publicKey.asymmetricKeyType, 'ec');
    assert.equal(certificate.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.equal(certificate.ca, false);
    const years =
      (Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / (365.25 * 24 * 3600 * 1000);
    assert.ok(Math.abs(years - 10) < 0.01, `valid for ${years} years`);
    assert.ok(Date.parse(certificate.validFrom) <= Date.now());
    const local = new X509Certificate((await generateSelfSignedCertificate('localhost')).certPem);
    assert.equal(local.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    assert.notEqual(local.serialNumber, certificate.serialNumber);
  });

  it('refuses a host name that is not one', async () => {
    await assert.rejects(generateSelfSignedCertificate('bad host/name'), { code: 'INVALID_INPUT' });
  });
});

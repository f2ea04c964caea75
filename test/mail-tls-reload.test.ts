import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { generateSelfSignedCertificate } from '../src/tls/self-signed.ts';
import { startImServer, type ImTestServer } from './support/im-server.ts';
import { peerCertificate } from './support/tls-peer.ts';

/** The certificate presented after SMTP's STARTTLS (RFC 3207) on a plain connection. */
function smtpStartTlsCertificate(port: number): Promise<tls.PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffer = '';
    let step: 'greeting' | 'ehlo' | 'starttls' = 'greeting';
    socket.setTimeout(5000, () => socket.destroy(new Error('SMTP timed out')));
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      // A complete reply ends with a line "NNN text" (no dash after the code).
      if (!/(^|\r\n)\d{3} [^\r\n]*\r\n$/.test(buffer)) return;
      const reply = buffer;
      buffer = '';
      if (step === 'greeting') {
        step = 'ehlo';
        socket.write('EHLO test.example\r\n');
      } else if (step === 'ehlo') {
        step = 'starttls';
        socket.write('STARTTLS\r\n');
      } else {
        if (!reply.startsWith('220')) return reject(new Error(`STARTTLS refused: ${reply}`));
        socket.removeAllListeners('data');
        const secure = tls.connect({ socket, servername: 'localhost', rejectUnauthorized: false }, () => {
          const certificate = secure.getPeerCertificate();
          secure.end();
          resolve(certificate);
        });
        secure.on('error', reject);
      }
    });
  });
}

function fingerprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

describe('mail listeners after the certificate is replaced', () => {
  let server: ImTestServer;

  before(async () => {
    server = await startImServer({ mail: true });
  });
  after(async () => {
    await server?.stop();
  });

  test('SMTP STARTTLS, submission and POP3 present the new certificate on new connections, without a restart', async () => {
    const before = await peerCertificate(server.mailPort('pop3s'));
    const replacement = await generateSelfSignedCertificate('localhost');
    const response = await server.call('PUT', '/api/v1/tls/certificate', {
      body: { certificate: replacement.certPem, privateKey: replacement.keyPem },
    });
    assert.equal(response.status, 200, response.text);
    const wanted = fingerprintOf(replacement.certPem);
    assert.notEqual(before.fingerprint256, wanted);
    assert.equal((await peerCertificate(server.mailPort('pop3s'))).fingerprint256, wanted);
    assert.equal((await peerCertificate(server.mailPort('submissions'))).fingerprint256, wanted);
    assert.equal((await smtpStartTlsCertificate(server.mailPort('smtp'))).fingerprint256, wanted);
    assert.equal((await smtpStartTlsCertificate(server.mailPort('submission'))).fingerprint256, wanted);
  });
});

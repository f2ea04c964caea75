import 'reflect-metadata';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { TlsProblem } from '../protocol/tls.ts';
import { checkCertificatePair, describeCertificatePem } from './certificate-check.ts';
import { generateSelfSignedCertificate, type TlsKeyPair } from './self-signed.ts';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

interface Issued {
  certPem: string;
  keyPem: string;
  certificate: x509.X509Certificate;
  keys: webcrypto.CryptoKeyPair;
}

/** A certificate for `name` signed by `issuer` (self-signed without one): a small CA for chain tests. */
async function issue(name: string, options: { issuer?: Issued; ca?: boolean } = {}): Promise<Issued> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - 60_000);
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: Math.floor(Math.random() * 1e9).toString(16) + '01',
      subject: `CN=${name}`,
      issuer: options.issuer ? options.issuer.certificate.subject : `CN=${name}`,
      notBefore,
      notAfter: new Date(notBefore.getTime() + YEAR_MS),
      signingAlgorithm: ALGORITHM,
      publicKey: keys.publicKey,
      signingKey: (options.issuer?.keys ?? keys).privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(options.ca ?? false, undefined, true),
        ...(options.ca ? [] : [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: name }])]),
      ],
    },
    webcrypto,
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    certPem: `${certificate.toString('pem')}\n`,
    keyPem: `${x509.PemConverter.encode(pkcs8, 'PRIVATE KEY')}\n`,
    certificate,
    keys,
  };
}

/** Asserts a TLS_INVALID with this reason on this field, and a message matching `message`. */
function refuses(run: () => unknown, field: string, reason: TlsProblem, message: RegExp): void {
  assert.throws(run, (error: Error & { code?: string; details?: unknown }) => {
    assert.equal(error.code, 'TLS_INVALID');
    assert.match(error.message, message);
    assert.deepEqual(error.details, [{ field, message: error.message, reason }]);
    return true;
  });
}

describe('checkCertificatePair', () => {
  let pair: TlsKeyPair;
  let other: TlsKeyPair;
  let root: Issued;
  let intermediate: Issued;
  let leaf: Issued;

  before(async () => {
    [pair, other] = await Promise.all([
      generateSelfSignedCertificate('mail.example.com'),
      generateSelfSignedCertificate('other.example.com'),
    ]);
    root = await issue('Example Root', { ca: true });
    intermediate = await issue('Example Intermediate', { issuer: root, ca: true });
    leaf = await issue('chat.example.com', { issuer: intermediate });
  });

  it('accepts a self-signed pair and says what it holds', () => {
    const checked = checkCertificatePair(pair.certPem, pair.keyPem);
    assert.equal(checked.certPem, pair.certPem);
    assert.equal(checked.keyPem, pair.keyPem);
    assert.equal(checked.info.subject, 'CN=mail.example.com');
    assert.equal(checked.info.issuer, 'CN=mail.example.com');
    assert.deepEqual(checked.info.dnsNames, ['mail.example.com', 'localhost']);
    assert.deepEqual(checked.info.ipAddresses, ['127.0.0.1', '::1']);
    assert.equal(checked.info.selfSigned, true);
    assert.equal(checked.info.chainLength, 1);
    assert.equal(checked.info.publicKey, 'EC prime256v1');
    assert.match(checked.info.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('accepts a chain with the server’s certificate first, keeping only the certificates, with LF line ends', () => {
    const pasted = `${leaf.certPem}${intermediate.certPem}${leaf.keyPem}`.replaceAll('\n', '\r\n');
    const checked = checkCertificatePair(pasted, leaf.keyPem.replaceAll('\n', '\r\n'));
    assert.equal(checked.certPem, `${leaf.certPem}${intermediate.certPem}`);
    assert.equal(checked.keyPem, leaf.keyPem);
    assert.equal(checked.info.chainLength, 2);
    assert.equal(checked.info.selfSigned, false);
    assert.equal(checked.info.issuer, 'CN=Example Intermediate');
  });

  it('refuses text that is not PEM, or the two swapped', () => {
    refuses(
      () => checkCertificatePair('hello', pair.keyPem),
      'certificate',
      TlsProblem.certificateNotPem,
      /not PEM/,
    );
    refuses(() => checkCertificatePair(pair.certPem, 'hello'), 'privateKey', TlsProblem.keyNotPem, /not PEM/);
    refuses(
      () => checkCertificatePair(pair.keyPem, pair.certPem),
      'certificate',
      TlsProblem.certificateNotPem,
      /swapped/,
    );
    const broken = pair.certPem.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
    refuses(
      () => checkCertificatePair(broken, pair.keyPem),
      'certificate',
      TlsProblem.certificateNotPem,
      /does not parse/,
    );
  });

  it('refuses a key that does not match the certificate', () => {
    refuses(
      () => checkCertificatePair(pair.certPem, other.keyPem),
      'privateKey',
      TlsProblem.keyMismatch,
      /does not match the certificate \(CN=mail\.example\.com\)/,
    );
  });

  it('refuses an encrypted key, saying how to remove the passphrase', () => {
    const encrypted =
      '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n';
    refuses(
      () => checkCertificatePair(pair.certPem, encrypted),
      'privateKey',
      TlsProblem.keyEncrypted,
      /passphrase/,
    );
  });

  it('refuses an expired certificate and one not valid yet', () => {
    refuses(
      () => checkCertificatePair(pair.certPem, pair.keyPem, Date.now() + 11 * YEAR_MS),
      'certificate',
      TlsProblem.expired,
      /the certificate expired on \d{4}-/,
    );
    refuses(
      () => checkCertificatePair(pair.certPem, pair.keyPem, Date.now() - 2 * 60 * 60 * 1000),
      'certificate',
      TlsProblem.notYetValid,
      /not valid yet: it is valid from \d{4}-/,
    );
  });

  it('refuses a chain out of order: the server’s certificate last, or an issuer missing between', () => {
    refuses(
      () => checkCertificatePair(`${intermediate.certPem}${leaf.certPem}`, leaf.keyPem),
      'certificate',
      TlsProblem.chainOrder,
      /key belongs to certificate #2 \(CN=chat\.example\.com\)/,
    );
    refuses(
      () => checkCertificatePair(`${leaf.certPem}${root.certPem}`, leaf.keyPem),
      'certificate',
      TlsProblem.chainOrder,
      /certificate #2 \(CN=Example Root\) did not issue certificate #1/,
    );
  });

  it('describeCertificatePem reads the first certificate of a file', () => {
    const info = describeCertificatePem(`${leaf.certPem}${intermediate.certPem}${root.certPem}`);
    assert.equal(info.subject, 'CN=chat.example.com');
    assert.equal(info.chainLength, 3);
    assert.deepEqual(info.dnsNames, ['chat.example.com']);
  });
});

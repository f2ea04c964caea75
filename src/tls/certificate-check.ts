// @peculiar/x509 needs the Reflect metadata API, and checks for it as it loads.
import 'reflect-metadata';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import tls from 'node:tls';
import * as x509 from '@peculiar/x509';
import { CooError } from '../errors.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { TlsProblem, type ApiTlsCertificate } from '../protocol/tls.ts';
import type { TlsKeyPair } from './self-signed.ts';

/** What a certificate says, as the API, the console and `coo tls show` present it. */
export type CertificateInfo = ApiTlsCertificate;

/** A pair that passed every check, in the form written to disk. */
export interface CheckedCertificate extends TlsKeyPair {
  info: CertificateInfo;
}

/** A chain with a few intermediates takes some kilobytes; these leave room and refuse garbage. */
export const TLS_PEM_LIMITS = {
  certificateChars: 100_000,
  keyChars: 20_000,
} as const;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\n[\s\S]*?\n-----END \1-----/g;

interface PemBlock {
  label: string;
  text: string;
}

/**
 * Checks a certificate (the server's own first, then its issuers) and its
 * private key before they are installed: both PEM, the key the certificate's,
 * each certificate issued by the next, valid now, and usable by TLS. Throws
 * TLS_INVALID whose detail names the field and the reason (protocol/tls.ts).
 *
 * The pair comes back normalised: LF line ends, and only the certificate
 * blocks in the certificate, so a key pasted along with the chain never
 * lands in the world-readable certificate file.
 */
export function checkCertificatePair(
  certText: string,
  keyText: string,
  now = Date.now(),
): CheckedCertificate {
  const chain = parseChain(certText);
  const { key, keyPem } = parseKey(keyText);
  const leaf = chain[0]?.certificate;
  if (!leaf) throw new Error('parseChain returned no certificate');
  if (!leaf.checkPrivateKey(key)) {
    const position = chain.findIndex((entry) => entry.certificate.checkPrivateKey(key));
    if (position > 0) {
      throw invalid(
        'certificate',
        TlsProblem.chainOrder,
        `the chain is out of order: the key belongs to certificate #${position + 1} (${nameOf(chain[position]?.certificate)}); put the server's own certificate first, then its issuers`,
      );
    }
    throw invalid(
      'privateKey',
      TlsProblem.keyMismatch,
      `the private key does not match the certificate (${nameOf(leaf)}): it belongs to another certificate`,
    );
  }
  checkChainOrder(chain.map((entry) => entry.certificate));
  checkDates(
    chain.map((entry) => entry.certificate),
    now,
  );
  const certPem = `${chain.map((entry) => entry.text).join('\n')}\n`;
  try {
    tls.createSecureContext({ cert: certPem, key: keyPem });
  } catch (error) {
    throw invalid(
      'certificate',
      TlsProblem.unusable,
      `TLS cannot use this certificate and key: ${reason(error)}`,
    );
  }
  return { certPem, keyPem, info: describeChain(chain.map((entry) => entry.certificate)) };
}

/** What the certificates of a PEM text say; the first is the server's own. TLS_INVALID when there is none. */
export function describeCertificatePem(certText: string): CertificateInfo {
  return describeChain(parseChain(certText).map((entry) => entry.certificate));
}

function describeChain(chain: readonly X509Certificate[]): CertificateInfo {
  const leaf = chain[0];
  if (!leaf) throw new Error('describeChain needs a certificate');
  const names = subjectAltNames(leaf);
  return {
    subject: distinguishedName(leaf.subject),
    issuer: distinguishedName(leaf.issuer),
    dnsNames: names.filter((name) => name.type === 'dns').map((name) => name.value),
    ipAddresses: names.filter((name) => name.type === 'ip').map((name) => name.value),
    notBefore: leaf.validFromDate.toISOString(),
    notAfter: leaf.validToDate.toISOString(),
    fingerprint256: leaf.fingerprint256,
    serialNumber: leaf.serialNumber,
    publicKey: describeKey(leaf.publicKey),
    selfSigned: isSelfSigned(leaf),
    chainLength: chain.length,
  };
}

function parseChain(certText: string): { certificate: X509Certificate; text: string }[] {
  const blocks = pemBlocks(certText);
  const certificates = blocks.filter((block) => block.label === 'CERTIFICATE');
  if (certificates.length === 0) {
    const holdsKey = blocks.some((block) => block.label.endsWith('PRIVATE KEY'));
    throw invalid(
      'certificate',
      TlsProblem.certificateNotPem,
      holdsKey
        ? 'the certificate field holds a private key, not a certificate: were the two swapped?'
        : 'the certificate is not PEM: expected a block starting with -----BEGIN CERTIFICATE-----',
    );
  }
  return certificates.map((block, index) => {
    try {
      return { certificate: new X509Certificate(block.text), text: block.text };
    } catch (error) {
      throw invalid(
        'certificate',
        TlsProblem.certificateNotPem,
        `certificate #${index + 1} of the PEM text does not parse: ${reason(error)}`,
      );
    }
  });
}

function parseKey(keyText: string): { key: KeyObject; keyPem: string } {
  const blocks = pemBlocks(keyText);
  const keys = blocks.filter((block) => block.label.endsWith('PRIVATE KEY'));
  if (keys.length === 0) {
    const holdsCertificate = blocks.some((block) => block.label === 'CERTIFICATE');
    throw invalid(
      'privateKey',
      TlsProblem.keyNotPem,
      holdsCertificate
        ? 'the private key field holds a certificate, not a private key: were the two swapped?'
        : 'the private key is not PEM: expected a block starting with -----BEGIN PRIVATE KEY-----',
    );
  }
  if (keys.length > 1) {
    throw invalid(
      'privateKey',
      TlsProblem.keyNotPem,
      `the private key text holds ${keys.length} keys: give one`,
    );
  }
  const block = keys[0] as PemBlock;
  // RFC 5958 §3 (PKCS#8 EncryptedPrivateKeyInfo), or OpenSSL's legacy "Proc-Type: 4,ENCRYPTED" header.
  if (block.label === 'ENCRYPTED PRIVATE KEY' || /^Proc-Type: *4, *ENCRYPTED/m.test(block.text)) {
    throw invalid(
      'privateKey',
      TlsProblem.keyEncrypted,
      'the private key is protected by a passphrase, which the server cannot type at start: remove it first (openssl pkey -in key.pem -out plain-key.pem)',
    );
  }
  try {
    return { key: createPrivateKey(block.text), keyPem: `${block.text}\n` };
  } catch (error) {
    throw invalid('privateKey', TlsProblem.keyNotPem, `the private key does not parse: ${reason(error)}`);
  }
}

/** RFC 5246 §7.4.2: each certificate of the list must certify the one before it. */
function checkChainOrder(chain: readonly X509Certificate[]): void {
  for (let index = 1; index < chain.length; index++) {
    const child = chain[index - 1] as X509Certificate;
    const issuer = chain[index] as X509Certificate;
    if (!issuedBy(child, issuer)) {
      throw invalid(
        'certificate',
        TlsProblem.chainOrder,
        `the chain is out of order: certificate #${index + 1} (${nameOf(issuer)}) did not issue certificate #${index} (${nameOf(child)}); list the server's certificate first, then each issuer in turn`,
      );
    }
  }
}

function checkDates(chain: readonly X509Certificate[], now: number): void {
  chain.forEach((certificate, index) => {
    const which =
      index === 0 ? 'the certificate' : `certificate #${index + 1} of the chain (${nameOf(certificate)})`;
    if (now < certificate.validFromDate.getTime()) {
      throw invalid(
        'certificate',
        TlsProblem.notYetValid,
        `${which} is not valid yet: it is valid from ${certificate.validFromDate.toISOString()}`,
      );
    }
    if (now > certificate.validToDate.getTime()) {
      throw invalid(
        'certificate',
        TlsProblem.expired,
        `${which} expired on ${certificate.validToDate.toISOString()}`,
      );
    }
  });
}

function pemBlocks(text: string): PemBlock[] {
  const normalised = text.replace(/\r\n?/g, '\n');
  return [...normalised.matchAll(PEM_BLOCK)].map((match) => ({ label: match[1] ?? '', text: match[0] }));
}

/** Names of the subject alternative name extension; none when it is missing or does not parse. */
function subjectAltNames(certificate: X509Certificate): { type: string; value: string }[] {
  try {
    const parsed = new x509.X509Certificate(certificate.raw);
    return parsed.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON() ?? [];
  } catch {
    return [];
  }
}

function describeKey(key: KeyObject): string {
  const type = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails;
  if (type === 'ec') return `EC ${details?.namedCurve ?? ''}`.trim();
  if (type === 'rsa' || type === 'rsa-pss')
    return `${type.toUpperCase()} ${details?.modulusLength ?? '?'} bits`;
  return type.toUpperCase();
}

function isSelfSigned(certificate: X509Certificate): boolean {
  return issuedBy(certificate, certificate);
}

/**
 * The issuer's name is the child's issuer and its key signed the child.
 * Not checkIssued(): OpenSSL's also wants the issuer's key usage to allow
 * signing certificates, which a self-signed server certificate lacks.
 */
function issuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  if (child.issuer !== issuer.subject) return false;
  try {
    return child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function distinguishedName(text: string): string {
  return text.split('\n').filter(Boolean).join(', ');
}

function nameOf(certificate: X509Certificate | undefined): string {
  return certificate ? distinguishedName(certificate.subject) || 'no subject' : 'none';
}

function invalid(field: 'certificate' | 'privateKey', problem: TlsProblem, message: string): CooError {
  return new CooError(ErrorCode.TLS_INVALID, message, [{ field, message, reason: problem }]);
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// @peculiar/x509 needs the Reflect metadata API, and checks for it as it loads.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';
import { CooError } from '../errors.ts';

export interface TlsKeyPair {
  certPem: string;
  /** PKCS#8 PEM. */
  keyPem: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const VALIDITY_YEARS = 10;
// Covers a client whose clock runs a little behind the server's.
const BACKDATE_MS = 60 * 60 * 1000;
const HOSTNAME_PATTERN =
  /^(?=.{1,253}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/**
 * The certificate `coo init` makes so that every listener speaks TLS from the
 * first start, with no internet: clients are told to trust it (or the admin
 * replaces it). It names the host and the loopback addresses, so tools on the
 * server itself can connect by any of them.
 */
export async function generateSelfSignedCertificate(hostname: string): Promise<TlsKeyPair> {
  const host = hostname.trim().replace(/\.$/, '').toLowerCase();
  if (isIP(host) === 0 && !HOSTNAME_PATTERN.test(host)) {
    throw new CooError('INVALID_INPUT', `"${hostname}" is not a host name or IP address`);
  }
  const crypto = webcrypto;
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - BACKDATE_MS);
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALIDITY_YEARS);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerialNumber(),
      name: [{ CN: [host] }],
      notBefore,
      notAfter,
      signingAlgorithm: ALGORITHM,
      keys,
      extensions: [
        // Not a CA: browsers refuse a CA certificate presented by a server.
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(subjectAltNames(host)),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    certPem: `${certificate.toString('pem')}\n`,
    keyPem: `${x509.PemConverter.encode(pkcs8, 'PRIVATE KEY')}\n`,
  };
}

/** The host, localhost, 127.0.0.1 and ::1, each once, IP literals as IP names. */
function subjectAltNames(host: string): x509.JsonGeneralName[] {
  const names = [...new Set([host, 'localhost', '127.0.0.1', '::1'])];
  return names.map((name) => ({ type: isIP(name) === 0 ? 'dns' : 'ip', value: name }));
}

/**
 * 16 random bytes. RFC 5280 §4.1.2.2 wants a positive serial of at most 20
 * octets: the first bit is cleared (positive) and the second set, so DER
 * needs no leading zero octet and the serial keeps its 16 bytes.
 */
function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

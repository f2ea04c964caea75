import { generateKeyPair, generateKeyPairSync, type RSAKeyPairOptions } from 'node:crypto';
import { promisify } from 'node:util';

export interface DkimKey {
  /** `coo` + year + month of creation (UTC), e.g. `coo202611`: a new key each rotation gets a new name. */
  selector: string;
  /** PKCS#8 PEM, kept by the server to sign outgoing mail. */
  privateKeyPem: string;
  /** SubjectPublicKeyInfo DER, base64: the p= tag of the DNS record. */
  publicKeyBase64: string;
}

export interface DkimDnsRecord {
  name: string;
  type: 'TXT';
  /** The whole record text, as the admin pastes it into a DNS console. */
  value: string;
  /**
   * The same text cut into strings of at most 255 characters, as a zone file
   * needs (RFC 1035 §3.3.14); RFC 6376 §3.6.2.2 has verifiers join them again.
   */
  strings: string[];
}

// RFC 8301 §3.2: at least 1024 bits, 2048 recommended; longer keys outgrow many DNS consoles.
const MODULUS_BITS = 2048;
const TXT_STRING_MAX = 255;

const KEY_OPTIONS: RSAKeyPairOptions<'der', 'pem'> = {
  modulusLength: MODULUS_BITS,
  publicKeyEncoding: { type: 'spki', format: 'der' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
};

const generateRsaKeyPair = promisify(generateKeyPair);

/**
 * A new RSA key for DKIM (rsa-sha256, RFC 6376 §3.3). Blocks for the tenth
 * of a second or so a 2048-bit key takes: fine in the CLI; a running server
 * should prefer generateDkimKeyAsync.
 */
export function generateDkimKey(now = new Date()): DkimKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', KEY_OPTIONS);
  return toDkimKey(now, publicKey, privateKey);
}

/** generateDkimKey on the thread pool, leaving the event loop free. */
export async function generateDkimKeyAsync(now = new Date()): Promise<DkimKey> {
  const { publicKey, privateKey } = await generateRsaKeyPair('rsa', KEY_OPTIONS);
  return toDkimKey(now, publicKey, privateKey);
}

function toDkimKey(now: Date, publicKeyDer: Buffer, privateKeyPem: string): DkimKey {
  const month = String(now.getUTCMonth() + 1).padStart(2, '0');
  return {
    selector: `coo${now.getUTCFullYear()}${month}`,
    privateKeyPem,
    publicKeyBase64: publicKeyDer.toString('base64'),
  };
}

/** The TXT record that publishes the key (RFC 6376 §3.6.1). */
export function dkimDnsRecord(domain: string, selector: string, publicKeyBase64: string): DkimDnsRecord {
  const value = `v=DKIM1; k=rsa; p=${publicKeyBase64}`;
  const strings: string[] = [];
  for (let offset = 0; offset < value.length; offset += TXT_STRING_MAX) {
    strings.push(value.slice(offset, offset + TXT_STRING_MAX));
  }
  const zone = domain.trim().replace(/\.$/, '').toLowerCase();
  return { name: `${selector}._domainkey.${zone}`, type: 'TXT', value, strings };
}

import { dkimSign } from 'mailauth/lib/dkim/sign.js';

export interface DkimSigningKey {
  /** d=: the domain of the From address (an alias domain signs as itself, with its main domain's key). */
  domain: string;
  selector: string;
  privateKeyPem: string;
}

export interface DkimSignOutcome {
  /** The DKIM-Signature field(s) to put in front of the message, ending with CRLF; "" when none. */
  header: string;
  /** Why no signature was made, for the log. */
  problems: string[];
}

/**
 * Signs a message (RFC 6376) with rsa-sha256 and relaxed/relaxed
 * canonicalisation (§3.4: survives the header refolding and trailing-space
 * changes common on the way), over mailauth's default set of header fields.
 */
export async function dkimSignature(
  message: Buffer,
  key: DkimSigningKey,
  now = Date.now(),
): Promise<DkimSignOutcome> {
  const signature = {
    signingDomain: key.domain,
    selector: key.selector,
    privateKey: key.privateKeyPem,
    canonicalization: 'relaxed/relaxed',
    algorithm: 'rsa-sha256',
  };
  // mailauth signs what signatureData lists; the top-level fields only satisfy its option type.
  const result = await dkimSign(message, {
    ...signature,
    signatureData: [signature],
    signTime: new Date(now),
  });
  return {
    header: result.signatures,
    problems: result.errors.map((error) => error.err.message),
  };
}

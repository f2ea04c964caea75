import { Readable } from 'node:stream';
import { sealMessage } from 'mailauth';
import type { BlobStore } from '../../blob/blob-store.ts';
import type { BlobRef } from '../../blob/disk-blob-store.ts';
import type { Logger } from '../../log.ts';
import { ownResults } from '../message/authentication-results.ts';
import { readHeaderBlock } from '../message/header-block.ts';

/**
 * The copy of a message that forwarding sends on: the stored message (with
 * our trace and Authentication-Results fields) under a Delivered-To field
 * naming the forwarding user (loop detection: a copy that comes back to the
 * same user is not forwarded again) and an ARC set (RFC 8617) sealed with
 * the DKIM key of the user's domain, so the destination can trust our
 * authentication results although forwarding breaks SPF (and SRS fixes the
 * envelope). Written to the blob store (fsynced) before it is queued.
 */
export interface ForwardSeal {
  domain: string;
  selector: string;
  privateKeyPem: string;
}

export async function makeForwardCopy(input: {
  blobs: BlobStore;
  messageSha256: string;
  deliveredTo: string;
  seal: ForwardSeal | undefined;
  hostname: string;
  /**
   * False for mail a local user submitted: it never passed our inbound
   * checks, so an Authentication-Results naming us in it was written by the
   * user and must not be sealed.
   */
  trustResults: boolean;
  logger: Logger;
}): Promise<BlobRef> {
  const deliveredTo = Buffer.from(`Delivered-To: ${input.deliveredTo}\r\n`);
  const arc = input.seal ? await arcSet(input, input.seal) : Buffer.alloc(0);
  const stored = await input.blobs.get(input.messageSha256);
  return input.blobs.put(Readable.from(concatenate([arc, deliveredTo], stored)));
}

async function arcSet(
  input: {
    blobs: BlobStore;
    messageSha256: string;
    hostname: string;
    trustResults: boolean;
    logger: Logger;
  },
  seal: ForwardSeal,
): Promise<Buffer> {
  const header = await readHeaderBlock(await input.blobs.get(input.messageSha256));
  // Only the topmost field, the one this hop added: an older one naming us is a forgery (RFC 8601 §5).
  const ours = input.trustResults ? ownResults(header, input.hostname) : undefined;
  // RFC 8617 §4.1.1: the AAR carries our Authentication-Results; §5.1.1: cv from the chain we verified.
  const cv = /\barc=(pass|fail|none)\b/i.exec(ours ?? '')?.[1]?.toLowerCase() ?? 'none';
  try {
    return await sealMessage(await input.blobs.get(input.messageSha256), {
      signingDomain: seal.domain,
      selector: seal.selector,
      privateKey: seal.privateKeyPem,
      cv,
      authResults: ours ?? `${input.hostname}; none`,
    });
  } catch (error) {
    // A message mailauth cannot seal (an ARC chain already at 50, a broken one) still goes out.
    input.logger.warn({ err: error, domain: seal.domain }, 'mail: forwarded copy left unsealed');
    return Buffer.alloc(0);
  }
}

async function* concatenate(prefix: Buffer[], rest: Readable): AsyncGenerator<Buffer> {
  for (const part of prefix) if (part.length > 0) yield part;
  for await (const chunk of rest) yield chunk as Buffer;
}

import { Readable } from 'node:stream';
import { removeForgedResults } from '../message/authentication-results.ts';
import { bodyOffset } from '../message/header-block.ts';
import type { ReceivedMessage } from './receive-data.ts';

/**
 * What the inbound listener stores: our trace fields on top of the message
 * as it came, less the Authentication-Results fields that claim our
 * authserv-id (RFC 8601 §5: an MTA removes such fields from mail that comes
 * from outside, else mail apps and our own forwarding would trust a
 * forgery). Nothing else changes: whole fields go, folded lines included,
 * and every other byte of header and body is kept, so the sender's DKIM
 * signature still verifies.
 */
export interface InboundCopy {
  /** The whole message to store: in memory, or streamed from the spool file. */
  content: Buffer | Readable;
  /** Its header block (trace fields included), for delivery's summary. */
  header: Buffer;
  /** How many forged Authentication-Results fields were removed. */
  forgedResults: number;
}

export function inboundCopy(input: {
  trace: Buffer;
  message: ReceivedMessage;
  /** The header block of the message as it came (from message.head). */
  header: Buffer;
  authservId: string;
}): InboundCopy {
  const { trace, message, header } = input;
  // A header block larger than the head that was kept has its last field cut: that one is left alone.
  const complete = bodyOffset(message.head) !== -1 || message.head.length === message.size;
  const cleaned = removeForgedResults(header, input.authservId, { complete });
  const top = Buffer.concat([trace, cleaned.header]);
  const content = message.bytes
    ? Buffer.concat([top, message.bytes.subarray(header.length)])
    : Readable.from(prefixed(top, skipped(message.open(), header.length)));
  return { content, header: top, forgedResults: cleaned.removed };
}

async function* prefixed(prefix: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield prefix;
  yield* rest;
}

/** The stream without its first `count` bytes. */
async function* skipped(stream: Readable, count: number): AsyncGenerator<Buffer> {
  let left = count;
  for await (const chunk of stream) {
    const bytes = chunk as Buffer;
    if (left >= bytes.length) {
      left -= bytes.length;
      continue;
    }
    yield left > 0 ? bytes.subarray(left) : bytes;
    left = 0;
  }
}

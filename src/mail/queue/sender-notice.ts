import type { BlobStore } from '../../blob/blob-store.ts';
import type { QueueRow } from '../../store/mail-queue.ts';
import type { StoredMessage } from '../ports.ts';
import { composeDsn, FULL_RETURN_MAX_BYTES, headerSection, type DsnRecipient } from './dsn.ts';
import { parseRowOptions } from './queue-deps.ts';

// A header section larger than this is cut: the report is about the message, not a copy of it.
const HEADER_RETURN_MAX_BYTES = 64 * 1024;

/**
 * Writes the DSN about some recipients of one message to the blob store.
 * The caller queues it to the original envelope sender (local senders get it
 * through local delivery, like any queued mail for a local domain).
 */
export async function storeNotice(
  blobs: BlobStore,
  input: { reportingMta: string; message: QueueRow; recipients: readonly DsnRecipient[]; now: number },
): Promise<StoredMessage> {
  const options = parseRowOptions(input.message.options);
  const delayed = input.recipients.every((r) => r.action === 'delayed');
  // RFC 3461 §4.3: RET=HDRS asks for the header only; a delay report never carries the body.
  const full =
    !delayed &&
    options.ret !== 'HDRS' &&
    (options.ret === 'FULL' || input.message.size <= FULL_RETURN_MAX_BYTES);
  const original = await readOriginal(blobs, input.message.blob_sha256, full);
  const bytes = composeDsn({
    reportingMta: input.reportingMta,
    to: input.message.sender,
    recipients: input.recipients,
    arrivalDate: input.message.created_at,
    envid: options.envid,
    original,
    now: input.now,
  });
  const stored = await blobs.put(bytes);
  return { sha256: stored.id, size: stored.size };
}

async function readOriginal(
  blobs: BlobStore,
  sha256: string,
  full: boolean,
): Promise<{ kind: 'full' | 'headers'; bytes: Buffer }> {
  if (!(await blobs.has(sha256))) {
    return {
      kind: 'headers',
      bytes: Buffer.from('X-Coo-Note: the original message is no longer stored\r\n'),
    };
  }
  const stream = await blobs.get(sha256);
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      chunks.push(bytes);
      length += bytes.length;
      if (
        !full &&
        (length >= HEADER_RETURN_MAX_BYTES || bytes.includes('\r\n\r\n') || bytes.includes('\n\n'))
      )
        break;
    }
  } finally {
    stream.destroy();
  }
  const whole = Buffer.concat(chunks, length);
  if (full) return { kind: 'full', bytes: whole };
  return { kind: 'headers', bytes: headerSection(whole).subarray(0, HEADER_RETURN_MAX_BYTES) };
}

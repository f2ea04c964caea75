import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { MAX_HEADER_BYTES } from '../message/header-block.ts';

/**
 * Reads the DATA of one message (smtp-server has removed the dot-stuffing
 * and the final dot) under the size limit. Small messages stay in memory;
 * past MEMORY_LIMIT the rest is spooled to a temp file, never fsynced — it
 * is not acknowledged, only the blob made from it is. A client that goes
 * away mid-DATA makes the stream fail: the spool is removed and nothing is
 * left behind. A message over the limit is read to its end (the client
 * must finish DATA before it can be answered) but not kept.
 */
export const MEMORY_LIMIT = 1024 * 1024;

export type ReceivedData =
  { kind: 'complete'; message: ReceivedMessage } | { kind: 'too-large'; size: number };

export class ReceivedMessage {
  readonly size: number;
  /** The first bytes (at most MAX_HEADER_BYTES): the header block is in here. */
  readonly head: Buffer;
  /** The whole message when it stayed in memory. */
  readonly bytes: Buffer | undefined;
  readonly #spoolPath: string | undefined;

  constructor(size: number, head: Buffer, bytes: Buffer | undefined, spoolPath: string | undefined) {
    this.size = size;
    this.head = head;
    this.bytes = bytes;
    this.#spoolPath = spoolPath;
  }

  /** A new stream of the whole message. */
  open(): Readable {
    if (this.bytes) return Readable.from([this.bytes]);
    if (!this.#spoolPath) throw new Error('a received message has neither bytes nor a spool file');
    return createReadStream(this.#spoolPath);
  }

  /** Removes the spool file, if any. Safe to call twice. */
  async discard(): Promise<void> {
    if (this.#spoolPath) await unlink(this.#spoolPath).catch(() => undefined);
  }
}

export async function receiveData(
  stream: AsyncIterable<unknown>,
  options: { maxBytes: number; spoolDir: string },
): Promise<ReceivedData> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  let head: Buffer | undefined;
  let spool: { file: FileHandle; path: string } | undefined;
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      size += bytes.length;
      if (tooLarge) continue;
      if (size > options.maxBytes) {
        // RFC 1870 §6.2: read on to the end of DATA, keep nothing, answer 552.
        tooLarge = true;
        chunks.length = 0;
        if (spool) await dropSpool(spool);
        spool = undefined;
        continue;
      }
      if (spool) {
        await spool.file.write(bytes);
        continue;
      }
      chunks.push(bytes);
      if (size > MEMORY_LIMIT) {
        const held = Buffer.concat(chunks, size);
        chunks.length = 0;
        head = Buffer.from(held.subarray(0, MAX_HEADER_BYTES));
        spool = await openSpool(options.spoolDir);
        await spool.file.write(held);
      }
    }
    if (tooLarge) return { kind: 'too-large', size };
    if (spool) {
      await spool.file.close();
      const message = new ReceivedMessage(size, head ?? Buffer.alloc(0), undefined, spool.path);
      spool = undefined;
      return { kind: 'complete', message };
    }
    const bytes = Buffer.concat(chunks, size);
    return {
      kind: 'complete',
      message: new ReceivedMessage(size, bytes.subarray(0, MAX_HEADER_BYTES), bytes, undefined),
    };
  } catch (error) {
    if (spool) await dropSpool(spool);
    throw error;
  }
}

async function openSpool(dir: string): Promise<{ file: FileHandle; path: string }> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `smtp-${Date.now()}-${randomBytes(6).toString('hex')}.spool`);
  return { file: await open(file, 'wx', 0o600), path: file };
}

async function dropSpool(spool: { file: FileHandle; path: string }): Promise<void> {
  await spool.file.close().catch(() => undefined);
  await unlink(spool.path).catch(() => undefined);
}

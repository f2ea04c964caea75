/**
 * The IMAP benchmark's mailbox: one user whose INBOX holds `count` distinct
 * messages, written as fast as the store allows.
 */
import type { BlobStore } from '../src/blob/blob-store.ts';
import type { BlobRef } from '../src/blob/disk-blob-store.ts';
import { CLI_ACTOR } from '../src/directory/types.ts';
import type { Services } from '../src/services.ts';
import { appendMessage, ensureDefaultMailboxes, findMailbox } from '../src/store/mailboxes.ts';
import { makeMessage, seededRandom, type BenchMessage } from './imap-messages.ts';

/** Rows appended per transaction, and blob puts in flight. */
const ROWS_PER_TRANSACTION = 1000;
const PUTS_IN_FLIGHT = 64;

export interface FilledInbox {
  /** Stored size of each message, by UID − 1. */
  sizes: number[];
  /** How many messages hold SEARCH_WORD. */
  searchMatches: number;
}

/**
 * One user's INBOX with `count` messages, as fast as the store allows: the
 * blobs of the next batch are written while the rows of this one go in.
 */
export async function fillInbox(
  services: Services,
  blobs: BlobStore,
  options: { address: string; password: string; count: number; size: number },
): Promise<FilledInbox> {
  const { count, size } = options;
  const user = await services.directory.users.create(options.address, { displayName: 'Reader' }, CLI_ACTOR, {
    password: options.password,
  });
  const now = Date.now();
  await ensureDefaultMailboxes(services.store.db, user.id, now);
  const inbox = await findMailbox(services.store.db, user.id, 'INBOX');
  if (!inbox) throw new Error('no INBOX');
  const random = seededRandom(20_240_601);
  const span = { to: options.address, size, from: now - 3 * 365 * 86_400_000, until: now, total: count };
  const batchAt = (start: number): BenchMessage[] =>
    Array.from({ length: Math.min(ROWS_PER_TRANSACTION, count - start) }, (_, i) =>
      makeMessage(random, start + i, span),
    );
  const sizes: number[] = [];
  let searchMatches = 0;
  let batch = batchAt(0);
  let stored = putAll(blobs, batch);
  for (let start = 0; start < count; start += ROWS_PER_TRANSACTION) {
    const refs = await stored;
    const current = batch;
    const nextStart = start + ROWS_PER_TRANSACTION;
    if (nextStart < count) {
      batch = batchAt(nextStart);
      stored = putAll(blobs, batch);
    }
    await services.store.db.transaction().execute(async (tx) => {
      for (const [i, message] of current.entries()) {
        const ref = refs[i];
        if (!ref) throw new Error('a blob was not stored');
        await appendMessage(tx, {
          mailboxId: inbox.id,
          userId: user.id,
          blobSha256: ref.id,
          size: ref.size,
          internalDate: message.date,
          flags: message.flags,
          subject: message.subject,
          fromAddress: message.fromAddress,
          messageId: message.messageId,
          now,
        });
      }
    });
    for (const [i, message] of current.entries()) {
      sizes.push(refs[i]?.size ?? 0);
      if (message.hasSearchWord) searchMatches++;
    }
    if (nextStart % (ROWS_PER_TRANSACTION * 10) === 0)
      console.log(`  ${Math.min(nextStart, count)} messages`);
  }
  return { sizes, searchMatches };
}

/** Writes the blobs, PUTS_IN_FLIGHT at a time; their refs in the messages' order. */
async function putAll(blobs: BlobStore, messages: readonly BenchMessage[]): Promise<BlobRef[]> {
  const refs: BlobRef[] = [];
  let next = 0;
  const putNext = async (): Promise<void> => {
    while (next < messages.length) {
      const index = next++;
      const message = messages[index];
      if (message) refs[index] = await blobs.put(message.raw);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PUTS_IN_FLIGHT, messages.length) }, putNext));
  return refs;
}

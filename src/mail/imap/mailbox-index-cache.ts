import type { Executor } from '../../store/database.ts';
import {
  changedSince,
  expungedSince,
  messageIndex,
  type IndexEntry,
  type MessageIndex,
} from '../../store/mail-message-index.ts';

/**
 * The index of recently selected mailboxes (UID, mod-sequence and flags per
 * message), kept by the node the way Dovecot keeps index files: a SELECT
 * reads only what changed since the cached mod-sequence (new rows, changed
 * flags, expunge tombstones) instead of every row, so reopening a 100,000
 * message mailbox costs milliseconds. The store stays the truth: an entry is
 * brought up to the mailbox's mod-sequence before every use, and a mailbox
 * recreated with the same id (a new UIDVALIDITY) is read again whole.
 */
interface CachedIndex {
  uidValidity: number;
  /** The mailbox's highest mod-sequence this entry is in step with. */
  modseq: number;
  index: MessageIndex;
}

export class MailboxIndexCache {
  readonly #entries = new Map<number, CachedIndex>();
  readonly #maxMessages: number;
  #messages = 0;

  constructor(maxMessages = 1_000_000) {
    this.#maxMessages = maxMessages;
  }

  /**
   * The index of the mailbox as of `row` (its highest mod-sequence read
   * first), as arrays the caller owns.
   */
  async load(
    db: Executor,
    row: { id: number; uidValidity: number; highestModseq: number },
  ): Promise<MessageIndex> {
    let entry = this.#entries.get(row.id);
    if (entry && (entry.uidValidity !== row.uidValidity || entry.modseq > row.highestModseq)) {
      this.#drop(row.id);
      entry = undefined;
    }
    if (!entry) {
      const index = await messageIndex(db, row.id);
      entry = { uidValidity: row.uidValidity, modseq: row.highestModseq, index };
    } else if (entry.modseq < row.highestModseq) {
      const [changed, expunged] = await Promise.all([
        changedSince(db, row.id, entry.modseq, row.highestModseq),
        expungedSince(db, row.id, entry.modseq, row.highestModseq),
      ]);
      applyChanges(entry.index, changed, expunged);
      entry.modseq = Math.max(entry.modseq, row.highestModseq);
    }
    this.#remember(row.id, entry);
    const { index } = entry;
    return {
      uids: index.uids.slice(),
      modseqs: index.modseqs.slice(),
      flags: index.flags.slice(),
      highestModseq: index.highestModseq,
    };
  }

  #remember(id: number, entry: CachedIndex): void {
    this.#drop(id);
    this.#entries.set(id, entry);
    this.#messages += entry.index.uids.length;
    // Least recently used first; a single mailbox larger than the bound is still served, just not kept.
    for (const [oldest] of this.#entries) {
      if (this.#messages <= this.#maxMessages) break;
      this.#drop(oldest);
    }
  }

  #drop(id: number): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#entries.delete(id);
    this.#messages -= entry.index.uids.length;
  }
}

/**
 * Brings an index up to date: expunged UIDs removed, changed messages'
 * flags and mod-sequences replaced (never by an older state), new UIDs
 * appended. Applying the same changes twice changes nothing.
 */
export function applyChanges(
  index: MessageIndex,
  changed: readonly IndexEntry[],
  expunged: readonly number[],
): void {
  if (expunged.length > 0) {
    const gone = new Set(expunged);
    let kept = 0;
    for (let i = 0; i < index.uids.length; i++) {
      if (gone.has(index.uids[i] ?? 0)) continue;
      index.uids[kept] = index.uids[i] ?? 0;
      index.modseqs[kept] = index.modseqs[i] ?? 0;
      index.flags[kept] = index.flags[i] ?? '[]';
      kept++;
    }
    index.uids.length = kept;
    index.modseqs.length = kept;
    index.flags.length = kept;
  }
  for (const entry of changed) {
    const last = index.uids[index.uids.length - 1] ?? 0;
    if (entry.uid > last) {
      index.uids.push(entry.uid);
      index.modseqs.push(entry.modseq);
      index.flags.push(entry.flags);
    } else {
      const at = binarySearch(index.uids, entry.uid);
      if (at >= 0 && (index.modseqs[at] ?? 0) < entry.modseq) {
        index.modseqs[at] = entry.modseq;
        index.flags[at] = entry.flags;
      }
    }
    if (entry.modseq > index.highestModseq) index.highestModseq = entry.modseq;
  }
}

function binarySearch(values: readonly number[], wanted: number): number {
  let low = 0;
  let high = values.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const value = values[middle] ?? 0;
    if (value === wanted) return middle;
    if (value < wanted) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

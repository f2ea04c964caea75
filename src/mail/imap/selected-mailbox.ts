import type { Executor } from '../../store/database.ts';
import {
  changedSince,
  expungedSince,
  mailboxCounters,
  type MessageIndex,
} from '../../store/mail-message-index.ts';
import type { MailboxRow } from '../../store/mailboxes.ts';
import { flagList } from './flags.ts';
import type { MailboxIndexCache } from './mailbox-index-cache.ts';
import { ImapError, ImapErrorId } from './imap-error.ts';
import type { SeqRange, SequenceSet } from './protocol/ast.ts';
import { compressUids } from './uid-set.ts';

/**
 * A session's view of its selected mailbox (RFC 9051 §2.3.1.2, §7.5): the
 * messages by sequence number with their UID, flags and mod-sequence, as
 * this client was last told. Changes by others (delivery, other sessions,
 * POP3) are read from the store by mod-sequence and announced only at the
 * moments the protocol allows: new mail and flag changes after any command,
 * expunges only where sequence numbers may shift (not during FETCH, STORE
 * or SEARCH by sequence number, §7.5.1).
 */
export interface SyncOptions {
  allowExpunge: boolean;
  /** RFC 7162: flag updates carry MODSEQ. */
  condstore: boolean;
  /** RFC 7162 §3.2.10: expunges are announced as VANISHED. */
  qresync: boolean;
}

export class SelectedMailbox {
  readonly id: number;
  readonly name: string;
  readonly readOnly: boolean;
  readonly uidValidity: number;
  #uids: number[];
  #modseqs: number[];
  #flags: string[];
  /** The mailbox's mod-sequence this view is in step with. */
  #knownModseq: number;
  #uidNext: number;
  /** Expunged in the store, not yet announced: their numbers still count. */
  readonly #pendingExpunge = new Set<number>();
  /** Set by the change feed: the next sync must look. */
  dirty = false;
  #changeWaiters: Array<() => void> = [];

  private constructor(row: MailboxRow, readOnly: boolean, index: MessageIndex) {
    this.id = row.id;
    this.name = row.name;
    this.readOnly = readOnly;
    this.uidValidity = Number(row.uid_validity);
    this.#knownModseq = Number(row.highest_modseq);
    this.#uidNext = Number(row.uid_next);
    // The view owns the index's arrays: no copy of 100,000 entries at SELECT.
    this.#uids = index.uids;
    this.#modseqs = index.modseqs;
    this.#flags = index.flags;
  }

  /** Reads the index of the mailbox as the row says it is (the row read first, in the same moment). */
  static async open(
    db: Executor,
    row: MailboxRow,
    readOnly: boolean,
    indexes: MailboxIndexCache,
  ): Promise<SelectedMailbox> {
    const index = await indexes.load(db, {
      id: row.id,
      uidValidity: Number(row.uid_validity),
      highestModseq: Number(row.highest_modseq),
    });
    const view = new SelectedMailbox(row, readOnly, index);
    // Changes committed between reading the row and the index are picked up by the next sync.
    if (index.highestModseq > view.#knownModseq) view.dirty = true;
    return view;
  }

  /** The change feed says the mailbox changed (on any node): wake IDLE. */
  notifyChange(): void {
    this.dirty = true;
    const waiters = this.#changeWaiters;
    this.#changeWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next change notice. */
  nextChange(): Promise<void> {
    return new Promise((resolve) => this.#changeWaiters.push(resolve));
  }

  get exists(): number {
    return this.#uids.length;
  }

  get highestModseq(): number {
    return this.#knownModseq;
  }

  get uidNext(): number {
    return Math.max(this.#uidNext, (this.#uids[this.#uids.length - 1] ?? 0) + 1);
  }

  uidAt(index: number): number {
    return this.#uids[index] ?? 0;
  }

  modseqAt(index: number): number {
    return this.#modseqs[index] ?? 0;
  }

  flagsAt(index: number): string {
    return this.#flags[index] ?? '[]';
  }

  /** Expunged by someone else and not yet announced: its content is gone. */
  isExpunged(index: number): boolean {
    return this.#pendingExpunge.has(this.uidAt(index));
  }

  /** The index (sequence number − 1) of the UID, or −1 (binary search: UIDs ascend). */
  indexOfUid(uid: number): number {
    let low = 0;
    let high = this.#uids.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const value = this.#uids[middle] ?? 0;
      if (value === uid) return middle;
      if (value < uid) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  /** The first index whose UID is ≥ uid. */
  #lowerBound(uid: number): number {
    let low = 0;
    let high = this.#uids.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.#uids[middle] ?? 0) < uid) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /**
   * The indexes a sequence set names, ascending, without repeats. By
   * sequence number, a number past the end is an error (RFC 9051 §9
   * seq-number); by UID, UIDs not present are simply not there (§6.4.8).
   */
  resolve(set: SequenceSet, byUid: boolean, savedUids: readonly number[]): number[] {
    if (set.kind === 'saved') {
      return savedUids.map((uid) => this.indexOfUid(uid)).filter((index) => index >= 0);
    }
    const count = this.#uids.length;
    // Ranges may overlap and come in any order: mark them, then read the marks in order
    // (1:* of 100,000 messages without a Set or a sort).
    const picked = new Uint8Array(count);
    let low = count;
    let high = -1;
    for (const range of set.ranges) {
      const [first, last] = byUid ? this.#uidRangeIndexes(range) : this.#seqRangeIndexes(range);
      if (first > last) continue;
      picked.fill(1, first, last + 1);
      low = Math.min(low, first);
      high = Math.max(high, last);
    }
    const indexes: number[] = [];
    for (let index = low; index <= high; index++) if (picked[index] === 1) indexes.push(index);
    return indexes;
  }

  /** By UID, UIDs not present are simply not there (§6.4.8): the indexes from first to last (empty when last < first). */
  #uidRangeIndexes(range: SeqRange): [number, number] {
    const largest = this.#uids[this.#uids.length - 1] ?? 0;
    let start = range.start === '*' ? largest : range.start;
    let end = range.end === '*' ? largest : range.end;
    if (start > end) [start, end] = [end, start];
    return [this.#lowerBound(start), this.#lowerBound(end + 1) - 1];
  }

  /** By sequence number, a number past the end is an error (RFC 9051 §9 seq-number). */
  #seqRangeIndexes(range: SeqRange): [number, number] {
    const count = this.#uids.length;
    let start = range.start === '*' ? count : range.start;
    let end = range.end === '*' ? count : range.end;
    if (start > end) [start, end] = [end, start];
    if (end > count || start < 1) {
      throw new ImapError(
        'BAD',
        ImapErrorId.SYNTAX,
        count === 0
          ? 'the mailbox is empty: no message numbers are valid'
          : `no message ${end > count ? end : start}: message numbers go from 1 to ${count}`,
      );
    }
    return [start - 1, end - 1];
  }

  /** UIDs of a UID set, including ones not (or no longer) in the view, bounded by `extra`'s values. */
  resolveUidsIn(set: SequenceSet, extra: readonly number[]): number[] {
    if (set.kind === 'saved') return [];
    const largest = Math.max(this.#uids[this.#uids.length - 1] ?? 0, ...extra.slice(-1));
    return extra.filter((uid) =>
      set.ranges.some((range) => {
        let start = range.start === '*' ? largest : range.start;
        let end = range.end === '*' ? largest : range.end;
        if (start > end) [start, end] = [end, start];
        return uid >= start && uid <= end;
      }),
    );
  }

  /** Records a flag change this session made itself (it writes the FETCH response). */
  setFlags(index: number, flags: string, modseq: number): void {
    this.#flags[index] = flags;
    this.#modseqs[index] = modseq;
  }

  /**
   * Reads what changed since the view was last in step and returns the
   * untagged responses announcing it, in the order the protocol wants:
   * expunges (when allowed), then EXISTS, then flag updates.
   */
  async sync(db: Executor, options: SyncOptions): Promise<string[] | 'gone'> {
    const counters = await mailboxCounters(db, this.id);
    if (!counters.exists) return 'gone';
    const lines: string[] = [];
    const flagUpdates: number[] = [];
    let added = 0;
    if (counters.highestModseq !== this.#knownModseq || this.dirty) {
      this.dirty = false;
      const upTo = counters.highestModseq;
      const [changed, expunged] = await Promise.all([
        changedSince(db, this.id, this.#knownModseq, upTo),
        expungedSince(db, this.id, this.#knownModseq, upTo),
      ]);
      for (const uid of expunged) if (this.indexOfUid(uid) >= 0) this.#pendingExpunge.add(uid);
      const lastUid = this.#uids[this.#uids.length - 1] ?? 0;
      for (const entry of changed) {
        if (entry.uid > lastUid) {
          this.#uids.push(entry.uid);
          this.#modseqs.push(entry.modseq);
          this.#flags.push(entry.flags);
          added++;
          continue;
        }
        const index = this.indexOfUid(entry.uid);
        if (index < 0 || (this.#modseqs[index] ?? 0) >= entry.modseq) continue;
        const before = this.#flags[index];
        this.#modseqs[index] = entry.modseq;
        this.#flags[index] = entry.flags;
        if (before !== entry.flags || options.condstore) flagUpdates.push(entry.uid);
      }
      this.#knownModseq = Math.max(this.#knownModseq, upTo);
      this.#uidNext = Math.max(this.#uidNext, counters.uidNext);
    }
    if (options.allowExpunge && this.#pendingExpunge.size > 0) lines.push(...this.#announceExpunges(options));
    if (added > 0) lines.push(`* ${this.#uids.length} EXISTS`);
    for (const uid of flagUpdates) {
      const index = this.indexOfUid(uid);
      if (index < 0 || this.#pendingExpunge.has(uid)) continue;
      lines.push(this.flagsResponse(index, options.condstore || options.qresync, true));
    }
    return lines;
  }

  /** `* n FETCH (UID u FLAGS (…) MODSEQ (m))` for a message whose flags changed. */
  flagsResponse(index: number, withModseq: boolean, withUid: boolean): string {
    const parts = [];
    if (withUid) parts.push(`UID ${this.uidAt(index)}`);
    parts.push(`FLAGS ${flagList(this.flagsAt(index))}`);
    if (withModseq) parts.push(`MODSEQ (${this.modseqAt(index)})`);
    return `* ${index + 1} FETCH (${parts.join(' ')})`;
  }

  /** Removes the expunged messages from the view: EXPUNGE from the highest number down, or one VANISHED. */
  #announceExpunges(options: SyncOptions): string[] {
    const gone = [...this.#pendingExpunge].sort((a, b) => a - b);
    this.#pendingExpunge.clear();
    const indexes = gone.map((uid) => this.indexOfUid(uid)).filter((index) => index >= 0);
    const lines = options.qresync
      ? [`* VANISHED ${compressUids(gone)}`]
      : indexes
          .slice()
          .reverse()
          .map((index) => `* ${index + 1} EXPUNGE`);
    const keep = new Set(indexes);
    const filter = <T>(values: T[]) => values.filter((_value, index) => !keep.has(index));
    this.#uids = filter(this.#uids);
    this.#modseqs = filter(this.#modseqs);
    this.#flags = filter(this.#flags);
    return lines;
  }
}

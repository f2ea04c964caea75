import { storeFlags, type MailMessageRow } from '../../../store/mailboxes.ts';
import { expungedSince, messagesByUids } from '../../../store/mail-message-index.ts';
import { publishMailboxChanged } from '../../mailbox-events.ts';
import { hasFlag } from '../flags.ts';
import { ImapError, ImapErrorId } from '../imap-error.ts';
import type { LoadedMessage } from '../message-cache.ts';
import type { FetchItem } from '../protocol/ast.ts';
import type { SelectedMailbox } from '../selected-mailbox.ts';
import type { SelectedState } from '../state.ts';
import { compressUids } from '../uid-set.ts';
import { command, type CommandSession } from './command.ts';
import { renderItem, type FetchTarget } from './fetch-items.ts';

/** Messages fetched per round trip to the store (rows and bodies are read a batch at a time). */
const BATCH = 500;
/** Messages per write when the view alone answers (UID, FLAGS, MODSEQ): FETCH 1:* of 100,000 in 20 writes. */
const VIEW_BATCH = 5000;

/** RFC 9051 §6.4.5 FETCH, with RFC 7162's CHANGEDSINCE and VANISHED modifiers. */
export const fetchCommand = command({
  names: ['FETCH'],
  state: 'selected',
  async run(session, state, fetch) {
    const mailbox = state.mailbox;
    const { changedSince, vanished } = fetch.modifiers;
    if (vanished && (!fetch.uid || changedSince === undefined || !session.enabled.qresync)) {
      throw new ImapError(
        'BAD',
        ImapErrorId.SYNTAX,
        'VANISHED needs UID FETCH, CHANGEDSINCE and ENABLE QRESYNC (RFC 7162 §3.2.6)',
      );
    }
    // RFC 7162 §3.1: FETCH with CHANGEDSINCE or the MODSEQ item is a CONDSTORE enabling command.
    if (changedSince !== undefined || fetch.items.some((item) => item.kind === 'MODSEQ'))
      session.enabled.condstore = true;
    let indexes = mailbox
      .resolve(fetch.set, fetch.uid, session.savedUids)
      .filter((index) => !mailbox.isExpunged(index));
    if (changedSince !== undefined)
      indexes = indexes.filter((index) => mailbox.modseqAt(index) > changedSince);
    if (vanished && changedSince !== undefined) await sendVanished(session, mailbox, fetch.set, changedSince);
    const items = itemsToSend(
      fetch.items,
      fetch.uid,
      session.enabled.condstore &&
        (changedSince !== undefined || fetch.items.some((item) => item.kind === 'MODSEQ')),
    );
    const needsRow = items.some(
      (item) => item.kind !== 'UID' && item.kind !== 'FLAGS' && item.kind !== 'MODSEQ',
    );
    const needsContent = items.some((item) => CONTENT_ITEMS.has(item.kind));
    if (!needsRow) {
      for (let start = 0; start < indexes.length; start += VIEW_BATCH) {
        await sendFromView(session, mailbox, indexes.slice(start, start + VIEW_BATCH), items);
      }
      return undefined;
    }
    const setsSeen = !mailbox.readOnly && items.some(marksSeen);
    for (let start = 0; start < indexes.length; start += BATCH) {
      const batch = indexes.slice(start, start + BATCH);
      const rows = await rowsOf(session, mailbox, batch);
      const seenNow = setsSeen ? await markSeen(session, state, batch) : new Set<number>();
      await sendBatch(session, mailbox, batch, items, rows, seenNow, needsContent);
    }
    return undefined;
  },
});

const CONTENT_ITEMS = new Set<FetchItem['kind']>([
  'ENVELOPE',
  'BODY',
  'BODYSTRUCTURE',
  'RFC822',
  'RFC822.HEADER',
  'RFC822.TEXT',
  'BODY[]',
  'BINARY[]',
  'BINARY.SIZE',
]);

/** RFC 9051 §6.4.5: BODY[…] and BINARY[…] (not .PEEK), RFC822 and RFC822.TEXT set \Seen. */
function marksSeen(item: FetchItem): boolean {
  return (
    item.kind === 'RFC822' ||
    item.kind === 'RFC822.TEXT' ||
    ((item.kind === 'BODY[]' || item.kind === 'BINARY[]') && !item.peek)
  );
}

/** UID FETCH always answers the UID (§6.4.9); with CONDSTORE on, MODSEQ comes too (RFC 7162 §3.1.4.1). */
function itemsToSend(items: FetchItem[], byUid: boolean, withModseq: boolean): FetchItem[] {
  const result = [...items];
  if (byUid && !result.some((item) => item.kind === 'UID')) result.unshift({ kind: 'UID' });
  if (withModseq && !result.some((item) => item.kind === 'MODSEQ')) result.push({ kind: 'MODSEQ' });
  return result;
}

async function rowsOf(
  session: CommandSession,
  mailbox: SelectedMailbox,
  batch: number[],
): Promise<Map<number, MailMessageRow>> {
  const uids = batch.map((index) => mailbox.uidAt(index));
  const rows = await messagesByUids(session.deps.services.store.db, mailbox.id, uids);
  return new Map(rows.map((row) => [Number(row.uid), row]));
}

/** Sets \Seen on the batch's unseen messages; their FETCH then carries the new FLAGS (§6.4.5). */
async function markSeen(
  session: CommandSession,
  state: SelectedState,
  batch: number[],
): Promise<Set<number>> {
  const mailbox = state.mailbox;
  const unseen = batch
    .filter((index) => !hasFlag(mailbox.flagsAt(index), '\\Seen'))
    .map((index) => mailbox.uidAt(index));
  if (unseen.length === 0) return new Set();
  const changed = await session.deps.services.store.db
    .transaction()
    .execute((tx) => storeFlags(tx, mailbox.id, unseen, 'add', ['\\Seen']));
  for (const row of changed) {
    const index = mailbox.indexOfUid(Number(row.uid));
    if (index >= 0) mailbox.setFlags(index, row.flags, Number(row.modseq));
  }
  if (changed.length > 0) {
    const modseq = Math.max(...changed.map((row) => Number(row.modseq)));
    await publishMailboxChanged(
      session.deps.bus,
      { userId: state.user.id, mailboxId: mailbox.id, modseq },
      session.log,
    );
  }
  return new Set(changed.map((row) => Number(row.uid)));
}

/** FETCH of UID, FLAGS and MODSEQ only: every answer comes from the view, one string per batch. */
async function sendFromView(
  session: CommandSession,
  mailbox: SelectedMailbox,
  batch: number[],
  items: FetchItem[],
): Promise<void> {
  // One target for the whole batch: these items read only its index and UID.
  const target: FetchTarget = { index: 0, uid: 0, mailbox, row: undefined, loaded: undefined, session };
  let text = '';
  for (const index of batch) {
    target.index = index;
    target.uid = mailbox.uidAt(index);
    let line = `* ${index + 1} FETCH (`;
    let separator = '';
    for (const item of items) {
      line += separator + (renderItem(item, target) as string);
      separator = ' ';
    }
    text += `${line})\r\n`;
  }
  if (text) await session.send([Buffer.from(text, 'utf8')]);
}

async function sendBatch(
  session: CommandSession,
  mailbox: SelectedMailbox,
  batch: number[],
  items: FetchItem[],
  rows: Map<number, MailMessageRow> | undefined,
  seenNow: Set<number>,
  needsContent: boolean,
): Promise<void> {
  const chunks: Buffer[] = [];
  let text = '';
  for (const index of batch) {
    const uid = mailbox.uidAt(index);
    const row = rows?.get(uid);
    // Gone from the store since this view last looked (expunged elsewhere): nothing to tell yet.
    if (rows && !row) continue;
    let loaded: LoadedMessage | undefined;
    if (needsContent && row) loaded = await session.deps.messages.load(row.blob_sha256);
    const target: FetchTarget = { index, uid, mailbox, row, loaded, session };
    const parts = items.map((item) => renderItem(item, target));
    if (seenNow.has(uid)) parts.push(...implicitSeenItems(items, target));
    const head = `* ${index + 1} FETCH (`;
    if (parts.every((part) => typeof part === 'string')) {
      text += `${head}${parts.join(' ')})\r\n`;
      continue;
    }
    if (text) chunks.push(Buffer.from(text, 'utf8'));
    text = '';
    chunks.push(Buffer.from(head));
    parts.forEach((part, position) => {
      if (position > 0) chunks.push(Buffer.from(' '));
      chunks.push(typeof part === 'string' ? Buffer.from(part, 'utf8') : part);
    });
    chunks.push(Buffer.from(')\r\n'));
  }
  if (text) chunks.push(Buffer.from(text, 'utf8'));
  if (chunks.length > 0) await session.send(chunks);
}

/**
 * RFC 9051 §6.4.5: a FETCH that sets \Seen answers the new FLAGS; with
 * CONDSTORE on, UID and MODSEQ come with them (RFC 7162 §3.1).
 */
function implicitSeenItems(items: FetchItem[], target: FetchTarget): Array<string | Buffer> {
  const wanted: FetchItem[] = [{ kind: 'FLAGS' }];
  if (target.session.enabled.condstore) wanted.push({ kind: 'UID' }, { kind: 'MODSEQ' });
  return wanted
    .filter((item) => !items.some((asked) => asked.kind === item.kind))
    .map((item) => renderItem(item, target));
}

/** RFC 7162 §3.2.6: the UIDs in the set expunged since the mod-sequence, before the FETCH responses. */
async function sendVanished(
  session: CommandSession,
  mailbox: SelectedMailbox,
  set: Parameters<SelectedMailbox['resolveUidsIn']>[0],
  since: number,
): Promise<void> {
  const gone = await expungedSince(session.deps.services.store.db, mailbox.id, since);
  const named = mailbox.resolveUidsIn(set, gone);
  if (named.length > 0) await session.untagged(`VANISHED (EARLIER) ${compressUids(named)}`);
}

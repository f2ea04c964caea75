import { expungeMessages } from '../../../store/mailboxes.ts';
import { deletedUids } from '../../../store/mail-message-index.ts';
import { publishMailboxChanged } from '../../mailbox-events.ts';
import { deleteUnusedBlobs } from '../../pop3/maildrop.ts';
import { ImapError, ImapErrorId } from '../imap-error.ts';
import type { SelectedState } from '../state.ts';
import { command, type CommandSession } from './command.ts';
import { deselect } from './select.ts';

/** RFC 9051 §6.4.3 EXPUNGE: the EXPUNGE (or VANISHED) responses come from the dispatcher's sync. */
export const expungeCommand = command({
  names: ['EXPUNGE'],
  state: 'selected',
  async run(session, state) {
    requireWritable(state);
    await expungeDeleted(session, state, undefined);
    return undefined;
  },
});

/** RFC 4315 §2.1 UID EXPUNGE: only the deleted messages among the UIDs given. */
export const uidExpungeCommand = command({
  names: ['UID EXPUNGE'],
  state: 'selected',
  async run(session, state, { set }) {
    requireWritable(state);
    const indexes = state.mailbox.resolve(set, true, session.savedUids);
    await expungeDeleted(
      session,
      state,
      indexes.map((index) => state.mailbox.uidAt(index)),
    );
    return undefined;
  },
});

/** RFC 9051 §6.4.1 CLOSE: expunges silently (unless read-only) and leaves the selected state. */
export const closeCommand = command({
  names: ['CLOSE'],
  state: 'selected',
  async run(session, state) {
    if (!state.mailbox.readOnly) await expungeDeleted(session, state, undefined);
    deselect(session);
    return undefined;
  },
});

export function requireWritable(state: SelectedState): void {
  if (state.mailbox.readOnly) {
    throw new ImapError(
      'NO',
      ImapErrorId.READ_ONLY,
      'the mailbox was opened with EXAMINE (read-only)',
      'READ-ONLY',
    );
  }
}

/**
 * Removes the messages flagged \Deleted (among `uids` when given), judged by
 * their flags in the store at this moment, not by this session's view.
 */
export async function expungeDeleted(
  session: CommandSession,
  state: SelectedState,
  uids: number[] | undefined,
): Promise<number[]> {
  const { store } = session.deps.services;
  const mailbox = state.mailbox;
  if (uids?.length === 0) return [];
  const result = await store.db.transaction().execute(async (tx) => {
    let deleted = await deletedUids(tx, mailbox.id);
    if (uids) {
      const wanted = new Set(uids);
      deleted = deleted.filter((uid) => wanted.has(uid));
    }
    const removed = await expungeMessages(tx, mailbox.id, deleted);
    return { uids: deleted, blobs: removed.map((row) => row.blob_sha256) };
  });
  if (result.uids.length > 0) {
    mailbox.dirty = true;
    await deleteUnusedBlobs(store, session.deps.blobs, result.blobs, session.log);
    await publishMailboxChanged(
      session.deps.bus,
      { userId: state.user.id, mailboxId: mailbox.id, modseq: mailbox.highestModseq + 1 },
      session.log,
    );
  }
  return result.uids;
}

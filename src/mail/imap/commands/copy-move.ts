import { expungeMessages } from '../../../store/mailboxes.ts';
import { copyMessages, sizeOfMessages } from '../../../store/mail-message-index.ts';
import { publishMailboxChanged } from '../../mailbox-events.ts';
import { mailboxNameFromClient, requireMailbox } from '../mailbox-names.ts';
import { requireRoom } from '../quota-room.ts';
import { compressUids } from '../uid-set.ts';
import { command } from './command.ts';
import { requireWritable } from './expunge.ts';

/**
 * RFC 9051 §6.4.7 COPY and RFC 6851 MOVE (§6.4.8 in IMAP4rev2), answering
 * RFC 4315 COPYUID. MOVE is one transaction: the copies exist and the
 * originals are gone together, and the EXPUNGEs follow from the sync.
 */
export const copyMoveCommand = command({
  names: ['COPY', 'MOVE'],
  state: 'selected',
  async run(session, state, request) {
    const move = request.name === 'MOVE';
    if (move) requireWritable(state);
    const { store } = session.deps.services;
    const source = state.mailbox;
    const targetName = mailboxNameFromClient(session, request.mailbox);
    const target = await requireMailbox(store.db, state.user.id, targetName, { tryCreate: true });
    const uids = source
      .resolve(request.set, request.uid, session.savedUids)
      .filter((index) => !source.isExpunged(index))
      .map((index) => source.uidAt(index));
    if (uids.length === 0) return `${request.name} completed: no messages`;
    if (!move || target.id !== source.id) {
      await requireRoom(session, state.user.id, await sizeOfMessages(store.db, source.id, uids));
    }
    const now = Date.now();
    const copies = await store.db.transaction().execute(async (tx) => {
      const copied = await copyMessages(tx, {
        userId: state.user.id,
        sourceMailboxId: source.id,
        uids,
        targetMailboxId: target.id,
        now,
      });
      if (move)
        await expungeMessages(
          tx,
          source.id,
          copied.map((copy) => copy.sourceUid),
        );
      return copied;
    });
    if (copies.length === 0) return `${request.name} completed: no messages`;
    const events = [
      { mailboxId: target.id, modseq: Math.max(...copies.map((copy) => Number(copy.row.modseq))) },
    ];
    if (move) {
      source.dirty = true;
      events.push({ mailboxId: source.id, modseq: source.highestModseq + 1 });
    }
    for (const event of events)
      await publishMailboxChanged(session.deps.bus, { userId: state.user.id, ...event }, session.log);
    const code = `COPYUID ${Number(target.uid_validity)} ${compressUids(copies.map((copy) => copy.sourceUid))} ${compressUids(copies.map((copy) => copy.targetUid))}`;
    if (move) {
      // RFC 6851 §4.3: COPYUID comes in an untagged OK before the expunges.
      await session.untagged(`OK [${code}] moved`);
      return undefined;
    }
    return `[${code}] COPY completed`;
  },
});

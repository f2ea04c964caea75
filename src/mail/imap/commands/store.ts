import { storeFlags } from '../../../store/mailboxes.ts';
import { messagesByUids } from '../../../store/mail-message-index.ts';
import { publishMailboxChanged } from '../../mailbox-events.ts';
import { compressUids } from '../uid-set.ts';
import { command } from './command.ts';
import { requireWritable } from './expunge.ts';

/**
 * RFC 9051 §6.4.6 STORE, with RFC 7162 §3.1.3 UNCHANGEDSINCE: messages
 * changed since that mod-sequence are left alone and named in [MODIFIED].
 */
export const storeCommand = command({
  names: ['STORE'],
  state: 'selected',
  async run(session, state, store) {
    requireWritable(state);
    const mailbox = state.mailbox;
    if (store.unchangedSince !== undefined) session.enabled.condstore = true;
    const indexes = mailbox.resolve(store.set, store.uid, session.savedUids);
    const live = indexes.filter((index) => !mailbox.isExpunged(index));
    const uids = live.map((index) => mailbox.uidAt(index));
    // \Recent is the server's to set (RFC 3501 §2.3.2), and this server never does.
    const flags = store.flags.filter((flag) => flag.toLowerCase() !== '\\recent');
    const db = session.deps.services.store.db;
    const { changed, modified } = await db.transaction().execute(async (tx) => {
      let allowed = uids;
      const modified: number[] = [];
      if (store.unchangedSince !== undefined) {
        const limit = store.unchangedSince;
        const rows = await messagesByUids(tx, mailbox.id, uids);
        const tooNew = new Set(
          rows.filter((row) => Number(row.modseq) > limit).map((row) => Number(row.uid)),
        );
        allowed = uids.filter((uid) => !tooNew.has(uid));
        modified.push(...uids.filter((uid) => tooNew.has(uid)));
      }
      return { changed: await storeFlags(tx, mailbox.id, allowed, store.operation, flags), modified };
    });
    for (const row of changed) {
      const index = mailbox.indexOfUid(Number(row.uid));
      if (index >= 0) mailbox.setFlags(index, row.flags, Number(row.modseq));
    }
    if (changed.length > 0) {
      const highest = Math.max(...changed.map((row) => Number(row.modseq)));
      await publishMailboxChanged(
        session.deps.bus,
        { userId: state.user.id, mailboxId: mailbox.id, modseq: highest },
        session.log,
      );
    }
    const modifiedSet = new Set(modified);
    const lines: string[] = [];
    // RFC 9051 §6.4.6: the new flags of every message named, unless .SILENT;
    // RFC 7162 §3.1: once CONDSTORE is on, with UID and MODSEQ.
    for (const index of store.silent ? [] : live) {
      if (modifiedSet.has(mailbox.uidAt(index))) continue;
      const condstore = session.enabled.condstore;
      lines.push(`${mailbox.flagsResponse(index, condstore, store.uid || condstore)}\r\n`);
    }
    if (lines.length > 0) await session.send([Buffer.from(lines.join(''), 'utf8')]);
    if (modified.length > 0) {
      // RFC 7162 §3.1.3: MODIFIED lists sequence numbers, or UIDs for UID STORE.
      const named = store.uid ? modified : modified.map((uid) => mailbox.indexOfUid(uid) + 1);
      return `[MODIFIED ${compressUids(named.sort((a, b) => a - b))}] conditional STORE failed for some messages`;
    }
    return undefined;
  },
});

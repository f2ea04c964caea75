import { appendMessage } from '../../../store/mailboxes.ts';
import { summarizeHeader } from '../../message/summary.ts';
import { publishMailboxChanged } from '../../mailbox-events.ts';
import { ImapError, ImapErrorId } from '../imap-error.ts';
import { mailboxNameFromClient, requireMailbox } from '../mailbox-names.ts';
import { requireRoom } from '../quota-room.ts';
import { command } from './command.ts';

/** RFC 9051 §6.3.12 APPEND, with RFC 4315 APPENDUID and RFC 7889 APPENDLIMIT. */
export const appendCommand = command({
  names: ['APPEND'],
  state: 'authenticated',
  async run(session, state, append) {
    const { store } = session.deps.services;
    const name = mailboxNameFromClient(session, append.mailbox);
    const mailbox = await requireMailbox(store.db, state.user.id, name, { tryCreate: true });
    const message = append.message;
    if (message.length === 0)
      throw new ImapError('NO', ImapErrorId.CANNOT, 'an empty message cannot be appended', 'CANNOT');
    const limit = session.appendLimit;
    if (message.length > limit) {
      throw new ImapError(
        'NO',
        ImapErrorId.TOO_BIG,
        `the message is larger than this server's limit of ${limit} octets`,
        'TOOBIG',
      );
    }
    await requireRoom(session, state.user.id, message.length);
    // The body is durable before the row that points at it is committed.
    const blob = await session.deps.blobs.put(message);
    const summary = await summarizeHeader(message);
    const flags = append.flags.filter((flag) => flag.toLowerCase() !== '\\recent');
    const now = Date.now();
    const row = await store.db.transaction().execute((tx) =>
      appendMessage(tx, {
        mailboxId: mailbox.id,
        userId: state.user.id,
        blobSha256: blob.id,
        size: message.length,
        internalDate: append.date ?? now,
        flags,
        subject: summary.subject,
        fromAddress: summary.fromAddress,
        messageId: summary.messageId,
        now,
      }),
    );
    await publishMailboxChanged(
      session.deps.bus,
      { userId: state.user.id, mailboxId: mailbox.id, modseq: Number(row.modseq) },
      session.log,
    );
    return `[APPENDUID ${Number(mailbox.uid_validity)} ${Number(row.uid)}] APPEND completed`;
  },
});

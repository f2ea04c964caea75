import { countMessagesByFlag } from '../../../store/mailbox-folders.ts';
import type { MailboxRow } from '../../../store/mailboxes.ts';
import { mailboxNameFromClient, mailboxNameToClient, requireMailbox } from '../mailbox-names.ts';
import type { StatusItem } from '../protocol/ast.ts';
import { WIRE_CRLF } from '../protocol/wire.ts';
import { command, type CommandSession, type RegisteredCommand } from './command.ts';

/**
 * STATUS (RFC 9051 §6.3.11): counters of a mailbox without selecting it.
 * The selected mailbox may be asked too; its numbers then come from the
 * store, which may be ahead of what the session has announced.
 */

/** The value of one item, from the row read by the caller and, for flag counts, the store. */
async function itemValue(session: CommandSession, row: MailboxRow, item: StatusItem): Promise<number> {
  const { db } = session.deps.services.store;
  switch (item) {
    case 'MESSAGES':
      return Number(row.message_count);
    case 'UIDNEXT':
      return Number(row.uid_next);
    case 'UIDVALIDITY':
      return Number(row.uid_validity);
    case 'UNSEEN':
      return countMessagesByFlag(db, row.id, '\\Seen', false);
    case 'DELETED':
      return countMessagesByFlag(db, row.id, '\\Deleted', true);
    case 'SIZE':
      // RFC 8438: the total of the messages' RFC822.SIZE.
      return Number(row.total_size);
    case 'RECENT':
      // RFC 9051 dropped \Recent; no message is ever recent here (RFC 3501 §2.3.2 allows that).
      return 0;
    case 'HIGHESTMODSEQ':
      return Number(row.highest_modseq);
    case 'APPENDLIMIT':
      // RFC 7889 §4: the largest message APPEND takes into this mailbox.
      return session.appendLimit;
    default: {
      const never: never = item;
      throw new Error(`unknown STATUS item ${String(never)}`);
    }
  }
}

/**
 * The attributes of a STATUS response, "MESSAGES 3 UIDNEXT 4 …", in the
 * order asked, each item once. LIST-STATUS (RFC 5819) uses it too.
 */
export async function statusItems(
  session: CommandSession,
  row: MailboxRow,
  items: readonly StatusItem[],
): Promise<string> {
  if (items.includes('HIGHESTMODSEQ')) {
    // RFC 7162 §3.1: STATUS with HIGHESTMODSEQ is a CONDSTORE enabling command.
    session.enabled.condstore = true;
  }
  const parts: string[] = [];
  for (const item of new Set(items)) parts.push(`${item} ${await itemValue(session, row, item)}`);
  return parts.join(' ');
}

/** Writes "* STATUS name (items)" for the mailbox. */
export async function writeStatus(
  session: CommandSession,
  row: MailboxRow,
  items: readonly StatusItem[],
): Promise<void> {
  const values = await statusItems(session, row, items);
  await session.send([
    Buffer.concat([
      Buffer.from('* STATUS '),
      mailboxNameToClient(session, row.name),
      Buffer.from(` (${values})`),
      WIRE_CRLF,
    ]),
  ]);
}

/** RFC 9051 §6.3.11 */
export const statusCommand = command({
  names: ['STATUS'],
  state: 'authenticated',
  async run(session, state, { mailbox, items }) {
    const name = mailboxNameFromClient(session, mailbox);
    const row = await requireMailbox(session.deps.services.store.db, state.user.id, name);
    await writeStatus(session, row, items);
    return undefined;
  },
});

export const statusCommands: readonly RegisteredCommand[] = [statusCommand];

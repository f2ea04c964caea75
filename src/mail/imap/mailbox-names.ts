import type { Executor } from '../../store/database.ts';
import { findMailbox, type MailboxRow } from '../../store/mailboxes.ts';
import type { CommandSession } from './commands/command.ts';
import { ImapError, ImapErrorId, noSuchMailbox } from './imap-error.ts';
import { astring } from './protocol/wire.ts';
import { decodeModifiedUtf7, encodeModifiedUtf7 } from './protocol/mailbox-name.ts';

/**
 * Mailbox names between the wire and the store. The store keeps Unicode
 * names with "/" between levels; an IMAP4rev1 client sends and reads them
 * in modified UTF-7 (RFC 3501 §5.1.3) unless it enabled UTF8=ACCEPT or
 * IMAP4rev2 (RFC 9051 §5.1), which take UTF-8 as it is.
 */
export const DELIMITER = '/';

/** Longest name accepted, in characters (each level and the whole). */
const MAX_NAME = 512;

export function mailboxNameFromClient(session: CommandSession, sent: string): string {
  let name: string;
  try {
    name = session.enabled.utf8 ? sent : decodeModifiedUtf7(sent);
  } catch {
    throw new ImapError(
      'BAD',
      ImapErrorId.MAILBOX_NAME,
      `"${sent}" is not valid modified UTF-7 (RFC 3501 §5.1.3)`,
    );
  }
  if (name.toUpperCase() === 'INBOX') return 'INBOX';
  // "INBOX/x" keeps INBOX in its canonical case as the parent.
  if (name.toUpperCase().startsWith(`INBOX${DELIMITER}`)) name = `INBOX${name.slice(5)}`;
  return name;
}

/** A name as this client reads it, ready for a response (atom or string). */
export function mailboxNameToClient(session: CommandSession, name: string): Buffer {
  return astring(session.enabled.utf8 ? name : encodeModifiedUtf7(name));
}

/** A name a client wants to create or rename to: no empty levels, no control characters, not too long. */
export function checkNewName(name: string): void {
  const levels = name.split(DELIMITER);
  if (name.length > MAX_NAME || levels.some((level) => level === '')) {
    throw new ImapError(
      'NO',
      ImapErrorId.MAILBOX_NAME,
      `"${name}" is not a valid mailbox name: levels are separated by "${DELIMITER}" and may not be empty`,
      'CANNOT',
    );
  }
  if (
    [...name].some((char) => char.charCodeAt(0) < 0x20 || char === '\u007f' || char === '*' || char === '%')
  ) {
    throw new ImapError(
      'NO',
      ImapErrorId.MAILBOX_NAME,
      `a mailbox name may not contain control characters, "*" or "%"`,
      'CANNOT',
    );
  }
}

/** The user's mailbox by the name the client sent, or NO [NONEXISTENT] (TRYCREATE where RFC 9051 asks for it). */
export async function requireMailbox(
  db: Executor,
  userId: number,
  name: string,
  options: { tryCreate?: boolean } = {},
): Promise<MailboxRow> {
  const row = await findMailbox(db, userId, name);
  if (row) return row;
  if (options.tryCreate) {
    // RFC 9051 §6.3.12 / §6.4.7: the client may create it and try again.
    throw new ImapError('NO', ImapErrorId.NO_SUCH_MAILBOX, `no mailbox named "${name}"`, 'TRYCREATE');
  }
  throw noSuchMailbox(name);
}

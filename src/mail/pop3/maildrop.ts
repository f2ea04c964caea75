import type { BlobStore } from '../../blob/blob-store.ts';
import type { Logger } from '../../log.ts';
import type { Store } from '../../store/database.ts';
import {
  ensureDefaultMailboxes,
  expungeMessages,
  findMailbox,
  listMessages,
  mailBlobInUse,
  storeFlags,
} from '../../store/mailboxes.ts';
import { Pop3Error, Pop3ErrorCode } from './replies.ts';

/**
 * A session's view of the user's INBOX (RFC 1939 §5): the messages there at
 * login, numbered from 1 in UID order, and the ones marked deleted. Mail
 * that arrives later shows up in the next session. Nothing changes in the
 * store before QUIT (§6, the UPDATE state).
 */
export interface MaildropMessage {
  /** The message number of this session (RFC 1939 §5). */
  number: number;
  uid: number;
  /** Octets of the stored message, exactly what RETR sends before dot-stuffing. */
  size: number;
  blobSha256: string;
  deleted: boolean;
  /** Sent whole by RETR in this session: marked \\Seen at QUIT, as IMAP clients expect. */
  retrieved: boolean;
}

export class Maildrop {
  readonly mailboxId: number;
  readonly #uidValidity: number;
  readonly #messages: MaildropMessage[];

  constructor(mailbox: { id: number; uidValidity: number }, messages: MaildropMessage[]) {
    this.mailboxId = mailbox.id;
    this.#uidValidity = mailbox.uidValidity;
    this.#messages = messages;
  }

  /** Reads the user's INBOX (creating the default mailboxes on a first login). */
  static async open(store: Store, userId: number): Promise<Maildrop> {
    await ensureDefaultMailboxes(store.db, userId, Date.now());
    const inbox = await findMailbox(store.db, userId, 'INBOX');
    if (!inbox) throw new Error(`user ${userId} has no INBOX after ensureDefaultMailboxes`);
    const rows = await listMessages(store.db, inbox.id);
    return new Maildrop(
      { id: inbox.id, uidValidity: Number(inbox.uid_validity) },
      rows.map((row, index) => ({
        number: index + 1,
        uid: Number(row.uid),
        size: Number(row.size),
        blobSha256: row.blob_sha256,
        deleted: false,
        retrieved: false,
      })),
    );
  }

  /** Messages not marked deleted. */
  visible(): MaildropMessage[] {
    return this.#messages.filter((message) => !message.deleted);
  }

  /** RFC 1939 §5 STAT: count and octets, deleted messages left out. */
  stat(): { count: number; octets: number } {
    let count = 0;
    let octets = 0;
    for (const message of this.#messages) {
      if (message.deleted) continue;
      count++;
      octets += message.size;
    }
    return { count, octets };
  }

  /** The message with this number (an argument as typed); -ERR when there is none or it is deleted. */
  get(argument: string | undefined): MaildropMessage {
    const number = parseMessageNumber(argument);
    const message = this.#messages[number - 1];
    if (!message) {
      throw new Pop3Error(
        Pop3ErrorCode.NO_SUCH_MESSAGE,
        `no such message: ${number} (the maildrop has ${this.#messages.length})`,
      );
    }
    if (message.deleted) {
      throw new Pop3Error(Pop3ErrorCode.MESSAGE_DELETED, `message ${number} is already deleted`);
    }
    return message;
  }

  /**
   * RFC 1939 §7 UIDL: unique, never reused, and the same in every session
   * (RFC 1939 §7: "the unique-id of a message ... persists across
   * sessions"): the mailbox's UIDVALIDITY and the message's UID, which
   * change only if the mailbox is recreated.
   */
  uniqueId(message: MaildropMessage): string {
    return `${this.#uidValidity}.${message.uid}`;
  }

  /** RFC 1939 §5 RSET: unmarks every deleted message. */
  reset(): void {
    for (const message of this.#messages) message.deleted = false;
  }

  /**
   * RFC 1939 §6, the UPDATE state: removes the messages marked deleted and
   * marks the ones retrieved with RETR \\Seen, all in one transaction (all
   * or nothing). The removal is an expunge like IMAP's: other clients see
   * the messages gone. Returns the blobs of the removed messages.
   */
  async commit(store: Store): Promise<string[]> {
    const deleted = this.#messages.filter((message) => message.deleted).map((message) => message.uid);
    const seen = this.#messages
      .filter((message) => message.retrieved && !message.deleted)
      .map((message) => message.uid);
    if (deleted.length === 0 && seen.length === 0) return [];
    return store.db.transaction().execute(async (tx) => {
      await storeFlags(tx, this.mailboxId, seen, 'add', ['\\Seen']);
      const removed = await expungeMessages(tx, this.mailboxId, deleted);
      return removed.map((row) => row.blob_sha256);
    });
  }
}

/**
 * Deletes the bodies no message or queue entry refers to any more (a blob
 * is shared by every copy of the same bytes). Best effort: a failure costs
 * disk space, never mail, so it is logged and the session goes on.
 */
export async function deleteUnusedBlobs(
  store: Store,
  blobs: BlobStore,
  shas: readonly string[],
  log: Logger,
): Promise<void> {
  for (const sha of new Set(shas)) {
    try {
      if (!(await mailBlobInUse(store.db, sha))) await blobs.delete(sha);
    } catch (error) {
      log.warn({ err: error, blob: sha }, 'pop3: deleting an unused message body failed');
    }
  }
}

/** RFC 1939 §3/§5: a message number is a positive decimal integer. */
export function parseMessageNumber(argument: string | undefined): number {
  if (argument === undefined || !/^\d{1,9}$/.test(argument) || Number(argument) === 0) {
    throw new Pop3Error(
      Pop3ErrorCode.SYNTAX,
      `expected a message number (1, 2, …), got ${argument === undefined ? 'nothing' : quote(argument)}`,
    );
  }
  return Number(argument);
}

/** An argument shown back to the client, short and printable. */
export function quote(text: string): string {
  const shown = text.length > 24 ? `${text.slice(0, 24)}…` : text;
  return `"${shown}"`;
}

/**
 * The messenger's view of mail: when a message is delivered to one of the
 * user's mail folders, every open messenger session of that user gets a
 * `mail.new` event ("new mail from X: subject"). Sent by local delivery
 * after the message is committed; a session that is not open then misses
 * it (the mailbox itself is the record). Documented in docs/protocol/mail.md.
 */
export interface MailNewFrame {
  t: 'mail.new';
  /** The folder it went to: "INBOX", or the folder a rule filed it in. */
  mailbox: string;
  /** Its IMAP UID in that folder. */
  uid: number;
  /** The From address, lower case ("" when the message has none). */
  from: string;
  /** The From display name, decoded ("" when none). */
  fromName: string;
  /** The decoded Subject ("" when none). */
  subject: string;
  /** Bytes of the stored message. */
  size: number;
  /** When it arrived, ms since the epoch. */
  at: number;
}

import MailComposer, { type MailComposerOptions } from 'nodemailer/lib/mail-composer';

/**
 * Builds the messages local delivery writes itself (auto-replies, the quota
 * warning, delivery reports) with nodemailer's composer: RFC 2047 subjects
 * and UTF-8 bodies, so Japanese text arrives intact in every mail program.
 * Local files and URLs are never read into a message.
 */
export async function composeMessage(options: MailComposerOptions): Promise<Buffer> {
  return new MailComposer({ ...options, disableFileAccess: true, disableUrlAccess: true }).compile().build();
}

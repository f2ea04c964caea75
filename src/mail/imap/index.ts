import type { MailModule } from '../mail-system.ts';
import { startImapListener } from './listener.ts';

/** IMAP: `imap` (143, STARTTLS) and `imaps` (993, TLS). See docs/mail.md, "Reading mail with IMAP". */
export const imapModule: MailModule = {
  listeners: {
    imap: (context, address) => startImapListener(context, address, { implicitTls: false }),
    imaps: (context, address) => startImapListener(context, address, { implicitTls: true }),
  },
};

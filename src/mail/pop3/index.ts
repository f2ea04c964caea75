import type { MailModule } from '../mail-system.ts';
import { startPop3Listener } from './listener.ts';

/** POP3: `pop3` (110, STLS) and `pop3s` (995, TLS). See docs/mail.md, "Reading mail with POP3". */
export const pop3Module: MailModule = {
  listeners: {
    pop3: (context, address) => startPop3Listener(context, address, { implicitTls: false }),
    pop3s: (context, address) => startPop3Listener(context, address, { implicitTls: true }),
  },
};

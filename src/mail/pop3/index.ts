import type { MailModule } from '../mail-system.ts';

/** POP3: `pop3` (110, STLS) and `pop3s` (995, TLS). */
export const pop3Module: MailModule = {};

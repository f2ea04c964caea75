import type { MailModule } from '../mail-system.ts';

/** Inbound SMTP (MX, the `smtp` listener). */
export const smtpModule: MailModule = {};

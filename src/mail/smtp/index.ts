import type { MailModule } from '../mail-system.ts';
import { startInboundListener } from './inbound-listener.ts';

/** Inbound SMTP (MX, the `smtp` listener): mail from the internet for our own domains. */
export const smtpModule: MailModule = {
  listeners: { smtp: startInboundListener },
};

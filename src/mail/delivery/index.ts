import type { MailContext } from '../mail-system.ts';
import { LocalDelivery } from './local-delivery.ts';

/** Local delivery: the user's rules, forwarding (SRS), quota, INBOX, the new-mail event. */
export function createLocalDelivery(context: MailContext): LocalDelivery {
  return new LocalDelivery(context);
}

export { LocalDelivery };

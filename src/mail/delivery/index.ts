import type { MailContext } from '../mail-system.ts';
import type { LocalDeliveryPort } from '../ports.ts';

/** Local delivery: the user's rules, forwarding (SRS), quota, INBOX, the new-mail event. */
export function createLocalDelivery(_context: MailContext): LocalDeliveryPort {
  return {
    resolveRecipient: async () => ({ kind: 'unknown', reason: 'local delivery is not built yet' }),
    deliver: async () => {
      throw new Error('local delivery is not built yet');
    },
  };
}

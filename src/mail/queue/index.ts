import type { MailContext, MailModule } from '../mail-system.ts';
import type { OutboundQueuePort } from '../ports.ts';

/** The outbound queue: durable, MX delivery with retries, DSNs. */
export function createOutboundQueue(_context: MailContext): OutboundQueuePort {
  return {
    enqueue: async () => {
      throw new Error('the outbound queue is not built yet');
    },
  };
}

/** The queue's delivery loop. */
export const queueModule: MailModule = {};

import type { DomainService } from '../../directory/domain-service.ts';
import type { LocalDeliveryPort } from '../ports.ts';

export interface Sender {
  userId: number;
  /** The canonical address, lower case. */
  address: string;
}

/**
 * "You may send only as yourself": the address is the user's own, in their
 * domain or in one of its alias domains, or an address that local delivery
 * resolves to this same user (a personal alias). Anything else is someone
 * else's, whoever that is.
 */
export async function isOwnAddress(
  deps: { domains: DomainService; localDelivery: LocalDeliveryPort },
  sender: Sender,
  address: string,
): Promise<boolean> {
  if (!address.includes('@')) return false;
  try {
    if ((await deps.domains.resolveLogin(address)).address === sender.address) return true;
  } catch {
    return false;
  }
  const resolved = await deps.localDelivery.resolveRecipient(address);
  return resolved.kind === 'local' && resolved.userId === sender.userId;
}

import { isIPv4 } from 'node:net';

/**
 * Greylisting: the first attempt of an unknown (client network, sender,
 * recipient) triplet is answered 450 4.7.1; a real mail server retries, and
 * once the delay has passed the triplet is let through and remembered. Off by
 * default (a LAN has no spam to fend off); in memory, per node, so a restart
 * or another node greylists a triplet once more — which costs a retry, never
 * a message.
 */
export interface GreylistSettings {
  delayMs: number;
}

/** A first attempt not retried within this is forgotten (Postfix's postgrey uses the same order). */
const RETRY_WINDOW_MS = 2 * 24 * 3600 * 1000;
/** A triplet that passed stays known this long after its last message. */
const PASSED_LIFETIME_MS = 35 * 24 * 3600 * 1000;
const SWEEP_EVERY = 1000;

interface Triplet {
  firstSeen: number;
  passedAt: number | undefined;
  lastSeen: number;
}

export class Greylist {
  readonly #settings: GreylistSettings;
  readonly #now: () => number;
  readonly #triplets = new Map<string, Triplet>();
  #checks = 0;

  constructor(settings: GreylistSettings, now: () => number = Date.now) {
    this.#settings = settings;
    this.#now = now;
  }

  /** True when the attempt may go on; false: answer 450 and let the sender retry. */
  check(clientAddress: string, sender: string, recipient: string): boolean {
    const now = this.#now();
    if (++this.#checks % SWEEP_EVERY === 0) this.#sweep(now);
    const key = `${clientNetwork(clientAddress)}|${sender.toLowerCase()}|${recipient.toLowerCase()}`;
    const known = this.#triplets.get(key);
    if (!known || expired(known, now)) {
      this.#triplets.set(key, { firstSeen: now, passedAt: undefined, lastSeen: now });
      return this.#settings.delayMs === 0 ? this.#pass(key, now) : false;
    }
    known.lastSeen = now;
    if (known.passedAt !== undefined || now - known.firstSeen >= this.#settings.delayMs) {
      known.passedAt ??= now;
      return true;
    }
    return false;
  }

  #pass(key: string, now: number): boolean {
    const triplet = this.#triplets.get(key);
    if (triplet) triplet.passedAt = now;
    return true;
  }

  #sweep(now: number): void {
    for (const [key, triplet] of this.#triplets) if (expired(triplet, now)) this.#triplets.delete(key);
  }
}

function expired(triplet: Triplet, now: number): boolean {
  return triplet.passedAt === undefined
    ? now - triplet.firstSeen > RETRY_WINDOW_MS
    : now - triplet.lastSeen > PASSED_LIFETIME_MS;
}

/** Big senders retry from another address of the same network: /24 for IPv4, /64 for IPv6. */
function clientNetwork(address: string): string {
  const plain = address.replace(/^::ffff:/i, '');
  if (isIPv4(plain)) return plain.split('.').slice(0, 3).join('.');
  return plain.toLowerCase().split(':').slice(0, 4).join(':');
}

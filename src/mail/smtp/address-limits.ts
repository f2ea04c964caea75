/**
 * Per remote address: how many connections are open and how many messages
 * it sent in the last minute. In memory, per node: limits against one
 * misbehaving host, not an accounting system. 0 turns a limit off.
 */
export interface AddressLimitSettings {
  connectionsPerAddress: number;
  messagesPerMinutePerAddress: number;
}

const WINDOW_MS = 60_000;
/** How often old message windows are dropped, so a scan of many addresses leaves no garbage. */
const SWEEP_EVERY = 1000;

export class AddressLimits {
  readonly #settings: AddressLimitSettings;
  readonly #now: () => number;
  readonly #connections = new Map<string, number>();
  /** Send times within the window, oldest first. */
  readonly #messages = new Map<string, number[]>();
  #checks = 0;

  constructor(settings: AddressLimitSettings, now: () => number = Date.now) {
    this.#settings = settings;
    this.#now = now;
  }

  /** Counts a new connection; false (and not counted) when the address has too many open. */
  openConnection(address: string): boolean {
    const open = this.#connections.get(address) ?? 0;
    const limit = this.#settings.connectionsPerAddress;
    if (limit > 0 && open >= limit) return false;
    this.#connections.set(address, open + 1);
    return true;
  }

  closeConnection(address: string): void {
    const open = (this.#connections.get(address) ?? 0) - 1;
    if (open > 0) this.#connections.set(address, open);
    else this.#connections.delete(address);
  }

  /** Counts a message (at MAIL FROM); false when the address is over its rate. */
  takeMessage(address: string): boolean {
    const limit = this.#settings.messagesPerMinutePerAddress;
    if (limit === 0) return true;
    const now = this.#now();
    if (++this.#checks % SWEEP_EVERY === 0) this.#sweep(now);
    const times = (this.#messages.get(address) ?? []).filter((time) => time > now - WINDOW_MS);
    if (times.length >= limit) {
      this.#messages.set(address, times);
      return false;
    }
    times.push(now);
    this.#messages.set(address, times);
    return true;
  }

  #sweep(now: number): void {
    for (const [address, times] of this.#messages) {
      if ((times.at(-1) ?? 0) <= now - WINDOW_MS) this.#messages.delete(address);
    }
  }
}

import {
  PRESENCE_CHOICES,
  type PresenceChoice,
  type PresenceOwnState,
} from '../../../../src/protocol/im/presence.ts';
import type { Presence } from './presence-registry.ts';

/**
 * The state this device picked by hand, kept across logins: the server
 * forgets a device's choice when the device is gone for longer than the
 * grace period, and clients re-send it when they connect again
 * (docs/protocol/presence.md). It is not re-sent when the server still shows
 * it, and it is dropped once another device picks something later, so a
 * reconnect never overrides a newer choice made elsewhere.
 *
 * DOM-free: the page supplies the requests, the storage and the idle time.
 */
export interface StatusChoice {
  state: PresenceChoice;
  text: string;
}

export interface ChoiceStorage {
  load(): StatusChoice | null;
  save(choice: StatusChoice | null): void;
}

export interface OwnStatusOptions {
  request<T>(t: string, body: Record<string, unknown>): Promise<T>;
  storage: ChoiceStorage;
  /** Our merged presence as the server answered it. */
  onMerged: (presence: Presence) => void;
  /** Seconds the user has been idle (0: active), reported again on each connection. */
  idleSeconds: () => number;
}

/** Whether the merged presence is what this choice makes (automatic `online` may show as away). */
export function reflects(choice: StatusChoice, merged: Presence): boolean {
  if (merged.text !== choice.text) return false;
  if (choice.state === 'online') return merged.state === 'online' || merged.state === 'away';
  return merged.state === choice.state;
}

export class OwnStatus {
  readonly #options: OwnStatusOptions;
  /** Requests of ours in flight: deltas meanwhile may show the state before them. */
  #busy = 0;

  constructor(options: OwnStatusOptions) {
    this.#options = options;
  }

  /**
   * A connection came up (the first or a reconnect): re-report idleness (a
   * device the server forgot starts active), learn the merged state from
   * the answer, and re-send our choice if the server lost it.
   */
  async connected(): Promise<void> {
    this.#busy++;
    try {
      const merged = await this.#options.request<PresenceOwnState>('presence.activity', {
        idleSeconds: this.#options.idleSeconds(),
      });
      this.#options.onMerged(merged);
      const choice = this.#options.storage.load();
      if (choice && !reflects(choice, merged)) {
        this.#options.onMerged(await this.#set(choice));
      }
    } finally {
      this.#busy--;
    }
  }

  /** Picks a state and text by hand; resolves with the merged state. */
  async choose(choice: StatusChoice): Promise<Presence> {
    this.#busy++;
    try {
      const merged = await this.#set(choice);
      this.#options.storage.save(choice.state === 'online' && choice.text === '' ? null : choice);
      this.#options.onMerged(merged);
      return merged;
    } finally {
      this.#busy--;
    }
  }

  /** A delta about ourselves: a state we did not pick means another device picked later. */
  observed(merged: Presence): void {
    if (this.#busy > 0 || merged.state === 'offline') return;
    const choice = this.#options.storage.load();
    if (choice && !reflects(choice, merged)) this.#options.storage.save(null);
  }

  #set(choice: StatusChoice): Promise<PresenceOwnState> {
    const body: Record<string, unknown> = { state: choice.state };
    if (choice.text !== '') body.text = choice.text;
    return this.#options.request<PresenceOwnState>('presence.set', body);
  }
}

/** localStorage, per user; nothing is kept when storage is unavailable. */
export function localChoiceStorage(userId: number, storage: Storage | undefined): ChoiceStorage {
  const key = `coo.presence.${userId}`;
  return {
    load: () => {
      try {
        const raw = storage?.getItem(key);
        if (!raw) return null;
        const parsed = JSON.parse(raw) as Partial<StatusChoice>;
        const state = PRESENCE_CHOICES.find((choice) => choice === parsed.state);
        if (!state) return null;
        return { state, text: typeof parsed.text === 'string' ? parsed.text : '' };
      } catch {
        return null;
      }
    },
    save: (choice) => {
      try {
        if (choice) storage?.setItem(key, JSON.stringify(choice));
        else storage?.removeItem(key);
      } catch {
        // Private mode or full: the choice lasts for this page only.
      }
    },
  };
}

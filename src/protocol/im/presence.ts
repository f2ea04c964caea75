/**
 * Presence frames: what a person is doing (online, away, busy, in a meeting,
 * out, offline) and a short status text. A connection watches the people it
 * has on screen and receives their changes as small coalesced deltas; nobody
 * receives a change they did not ask for. Documented in docs/protocol/presence.md.
 */
import type { PresenceState } from './frames.ts';

/** Longest status text, in characters (code points). */
export const PRESENCE_TEXT_MAX = 140;

/** Most users one connection may watch at once (over all its watch frames). */
export const PRESENCE_WATCH_MAX = 5000;

/** Longest idle time a client may report (a week): more says nothing new. */
export const PRESENCE_IDLE_MAX_SECONDS = 7 * 24 * 3600;

/**
 * A state a person picks by hand. `online` means "automatic": online while
 * the person uses a device, away after the admin's idle minutes. The others
 * hold until changed, whatever the activity. `offline` cannot be picked: it
 * only means that no device is connected.
 */
export type PresenceChoice = Exclude<PresenceState, 'offline'>;

export const PRESENCE_CHOICES = [
  'online',
  'away',
  'busy',
  'meeting',
  'out',
] as const satisfies readonly PresenceChoice[];

/**
 * One person's presence on the wire: `[userId, state]`, or
 * `[userId, state, text]` when there is a status text.
 */
export type PresenceEntry =
  [userId: number, state: PresenceState] | [userId: number, state: PresenceState, text: string];

/** `presence.set`: picks this device's state and status text (an omitted text clears it). */
export interface PresenceSetRequest {
  t: 'presence.set';
  id?: number;
  state: PresenceChoice;
  text?: string;
}

/**
 * `presence.activity`: how long this device's user has been idle (no input),
 * in seconds. Sent on transitions only: once when the client notices its
 * user idle (e.g. after 60 s without input), and `0` when the user is back.
 */
export interface PresenceActivityRequest {
  t: 'presence.activity';
  id?: number;
  idleSeconds: number;
}

/** `presence.watch`: adds people to this connection's watch list; answered with their current presence. */
export interface PresenceWatchRequest {
  t: 'presence.watch';
  id?: number;
  users: number[];
}

/** `presence.unwatch`: removes people from this connection's watch list. */
export interface PresenceUnwatchRequest {
  t: 'presence.unwatch';
  id?: number;
  users: number[];
}

/**
 * The answer to `presence.watch`: the current presence of each watched person
 * the viewer may see, offline ones included; people the visibility rules
 * hide are simply absent (and never watched).
 */
export interface PresenceSnapshot {
  users: PresenceEntry[];
}

/** The answer to `presence.unwatch`. */
export interface PresenceWatchCount {
  /** How many people the connection watches now. */
  watching: number;
}

/**
 * The answer to `presence.set` and `presence.activity`: the person's presence
 * after the change, merged over all their devices (another device's more
 * recent choice may still win).
 */
export interface PresenceOwnState {
  state: PresenceState;
  text: string;
}

/**
 * Pushed to a watching connection: the people whose presence changed since
 * the last delta, each once with its latest value (several changes within
 * one flush interval collapse into one entry).
 */
export interface PresenceDelta {
  t: 'presence';
  u: PresenceEntry[];
}

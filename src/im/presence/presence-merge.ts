import type { PresenceState } from '../../protocol/im/frames.ts';
import type { PresenceChoice } from '../../protocol/im/presence.ts';

/** A state picked by hand on one device, with its status text and when it was picked. */
export interface PresenceChoiceMade {
  state: PresenceChoice;
  text: string;
  at: number;
}

/**
 * What merging needs to know of one device, or of all of one user's devices
 * on one node: the most recent hand-picked state (if any) and whether anyone
 * is active there. Merging summaries of summaries gives the same answer as
 * merging the devices themselves, so a node can send one summary per user.
 */
export interface PresenceSummary {
  choice: PresenceChoiceMade | null;
  active: boolean;
}

/** A connected person's presence: any state but offline. */
export interface MergedPresence {
  state: Exclude<PresenceState, 'offline'>;
  text: string;
}

/**
 * The later of two choices. Ties (same millisecond, two nodes) are broken on
 * the state and text, so that every node picks the same one.
 */
export function laterChoice(
  a: PresenceChoiceMade | null,
  b: PresenceChoiceMade | null,
): PresenceChoiceMade | null {
  if (!a) return b;
  if (!b) return a;
  if (a.at !== b.at) return a.at > b.at ? a : b;
  if (a.state !== b.state) return a.state > b.state ? a : b;
  return a.text >= b.text ? a : b;
}

/** Merges the summaries of devices (or nodes) into one summary. */
export function combineSummaries(summaries: Iterable<PresenceSummary>): PresenceSummary | null {
  let combined: PresenceSummary | null = null;
  for (const summary of summaries) {
    combined = combined
      ? { choice: laterChoice(combined.choice, summary.choice), active: combined.active || summary.active }
      : { choice: summary.choice, active: summary.active };
  }
  return combined;
}

/**
 * The one state of a person from all their devices:
 * - the most recent state picked by hand on any device wins, with its text;
 * - when that is `online` (automatic) or nothing was picked: online if any
 *   device is in use, away when every device has been idle past the limit;
 * - no device at all: offline (null here).
 */
export function mergePresence(summaries: Iterable<PresenceSummary>): MergedPresence | null {
  const combined = combineSummaries(summaries);
  if (!combined) return null;
  const choice = combined.choice;
  if (choice && choice.state !== 'online') return { state: choice.state, text: choice.text };
  return { state: combined.active ? 'online' : 'away', text: choice?.text ?? '' };
}

export function sameSummary(a: PresenceSummary | null, b: PresenceSummary | null): boolean {
  if (!a || !b) return a === b;
  return (
    a.active === b.active &&
    a.choice?.state === b.choice?.state &&
    a.choice?.text === b.choice?.text &&
    a.choice?.at === b.choice?.at
  );
}

export function sameMerged(a: MergedPresence | null, b: MergedPresence | null): boolean {
  if (!a || !b) return a === b;
  return a.state === b.state && a.text === b.text;
}

import { z } from 'zod';
import { PRESENCE_CHOICES, PRESENCE_TEXT_MAX } from '../../protocol/im/presence.ts';
import type { PresenceSummary } from './presence-merge.ts';

/**
 * What nodes tell each other about presence, on one bus channel. Every event
 * names the sending node instance `i` (a node id plus a random part made at
 * start, so a restarted node is a new instance) and its sequence number `s`,
 * which grows by one per user event: a gap means events were lost (Redis
 * pub/sub drops what it cannot deliver) and the receiver asks for a full dump.
 */
const summarySchema = z.object({
  /** The most recent hand-picked state: [state, text, at]. */
  c: z.tuple([z.enum(PRESENCE_CHOICES), z.string().max(PRESENCE_TEXT_MAX * 2), z.number()]).nullable(),
  /** Whether any device of the user on that node is in use. */
  a: z.boolean(),
});

const instance = z.string().min(1).max(200);
const seq = z.number().int().min(0);
const userId = z.number().int().positive();

export const presenceBusEventSchema = z.discriminatedUnion('k', [
  /** One user's summary on the sending node changed; p null: no device of theirs left there. */
  z.object({ k: z.literal('user'), i: instance, s: seq, u: userId, p: summarySchema.nullable() }),
  /** The sender is alive; sent every beat interval with its current sequence number. */
  z.object({ k: z.literal('beat'), i: instance, s: seq }),
  /** Every user with a device on the sender, replacing what the receivers knew of it. */
  z.object({ k: z.literal('full'), i: instance, s: seq, users: z.array(z.tuple([userId, summarySchema])) }),
  /** Asks instance `from` (or every instance: "*") for a full dump. */
  z.object({ k: z.literal('want'), i: instance, from: instance }),
  /** The sender stops; its users count for one grace period more, as if their connections dropped. */
  z.object({ k: z.literal('bye'), i: instance }),
]);

export type PresenceBusEvent = z.output<typeof presenceBusEventSchema>;
export type WireSummary = z.output<typeof summarySchema>;

export function toWire(summary: PresenceSummary): WireSummary {
  const choice = summary.choice;
  return { c: choice ? [choice.state, choice.text, choice.at] : null, a: summary.active };
}

export function fromWire(wire: WireSummary): PresenceSummary {
  return { choice: wire.c ? { state: wire.c[0], text: wire.c[1], at: wire.c[2] } : null, active: wire.a };
}

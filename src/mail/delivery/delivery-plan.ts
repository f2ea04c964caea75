import type { MessageSummary } from '../message/summary.ts';
import {
  autoreplyActive,
  fileRuleMatches,
  senderMatches,
  type AutoreplyParams,
  type MailRule,
} from './rules.ts';

/**
 * What happens to one message for one user, decided before anything is
 * written, from the user's rules and forwarding (pure: no I/O, so every
 * branch is tested directly). Order:
 *
 * 1. a matching block rule drops the message (nothing else happens);
 * 2. forwarding sends a copy on, and keeps one unless keep_copy is off —
 *    except when the message was already delivered to this user (a
 *    Delivered-To of theirs): then it is a loop, and the copy is kept
 *    instead of forwarded again;
 * 3. the first matching file rule picks the folder of the kept copy;
 * 4. the first active auto-reply rule answers (for kept and forwarded mail).
 */
export type DeliveryPlan =
  | { kind: 'blocked'; ruleId: number }
  | {
      kind: 'accept';
      /** Folder of the kept copy; undefined when the message is only forwarded. */
      mailbox: string | undefined;
      forwardTo: string | undefined;
      /** Forwarding was skipped because this copy has been here before. */
      forwardLoop: boolean;
      autoreply: { ruleId: number; params: AutoreplyParams } | undefined;
    };

export function planDelivery(input: {
  userAddress: string;
  mailFrom: string;
  summary: MessageSummary;
  rules: readonly MailRule[];
  forwarding: { target: string; keepCopy: boolean } | undefined;
  now: number;
}): DeliveryPlan {
  const { summary, mailFrom, rules } = input;
  for (const rule of rules) {
    if (rule.kind !== 'block') continue;
    if (
      senderMatches(rule.params.sender, mailFrom) ||
      senderMatches(rule.params.sender, summary.fromAddress)
    ) {
      return { kind: 'blocked', ruleId: rule.id };
    }
  }
  const forwardLoop =
    input.forwarding !== undefined && summary.deliveredTo.includes(input.userAddress.toLowerCase());
  const forwardTo = input.forwarding && !forwardLoop ? input.forwarding.target : undefined;
  const keep = forwardTo === undefined || (input.forwarding?.keepCopy ?? true);
  let mailbox: string | undefined;
  if (keep) {
    const file = rules.find(
      (rule) => rule.kind === 'file' && fileRuleMatches(rule.params, summary, mailFrom),
    );
    mailbox = file?.kind === 'file' ? file.params.mailbox : 'INBOX';
  }
  const away = rules.find((rule) => rule.kind === 'autoreply' && autoreplyActive(rule.params, input.now));
  return {
    kind: 'accept',
    mailbox,
    forwardTo,
    forwardLoop,
    autoreply: away?.kind === 'autoreply' ? { ruleId: away.id, params: away.params } : undefined,
  };
}

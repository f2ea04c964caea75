import type { MessageSummary } from '../message/summary.ts';
import { composeMessage } from './compose.ts';
import type { AutoreplyParams } from './rules.ts';

/**
 * Auto-replies ("away"), after RFC 3834. A reply goes to the envelope
 * sender (§3.1.1) at most once per sender per period, and never to:
 * a bounce (null sender), mail marked Auto-Submitted (§5), mailing lists
 * and bulk mail (List-Id, List-Unsubscribe, Precedence), the usual robot
 * addresses (§2: mailer-daemon, postmaster, list owners, noreply), or the
 * user themself.
 */
const ROBOT_LOCAL_PARTS =
  /^(mailer-daemon|postmaster|listserv|majordomo|.*-request|owner-.*|.*-owner|no-?reply|do-?not-?reply|bounces?)([+-].*)?$/i;
const BULK_PRECEDENCE = new Set(['bulk', 'list', 'junk']);

export function autoreplyAllowed(input: {
  sender: string;
  userAddress: string;
  summary: MessageSummary;
}): boolean {
  const sender = input.sender.toLowerCase();
  if (sender === '' || sender === input.userAddress.toLowerCase()) return false;
  const localPart = sender.slice(0, sender.lastIndexOf('@'));
  if (ROBOT_LOCAL_PARTS.test(localPart)) return false;
  const { autoSubmitted, precedence, fromList } = input.summary;
  if (autoSubmitted !== '' && autoSubmitted !== 'no') return false;
  if (BULK_PRECEDENCE.has(precedence) || fromList) return false;
  return true;
}

/** The reply message: Auto-Submitted: auto-replied (§5.2), In-Reply-To and References (§3.1.5). */
export function composeAutoreply(input: {
  params: AutoreplyParams;
  userAddress: string;
  userName: string;
  sender: string;
  summary: MessageSummary;
  now: Date;
}): Promise<Buffer> {
  const original = input.summary.messageId ? `<${input.summary.messageId}>` : undefined;
  // §3.1.5: "Auto:" and the original subject unless the user chose one.
  const subject = input.params.subject || `Auto: ${input.summary.subject}`.trim();
  return composeMessage({
    from: { name: input.userName, address: input.userAddress },
    to: input.sender,
    subject,
    date: input.now,
    inReplyTo: original,
    references: original,
    headers: { 'Auto-Submitted': 'auto-replied', Precedence: 'bulk' },
    text: input.params.body,
  });
}

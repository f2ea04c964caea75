import type { MessageSummary } from '../message/summary.ts';
import { composeMessage } from './compose.ts';
import type { AutoreplyParams } from './rules.ts';

/**
 * Auto-replies ("away"), after RFC 3834. A reply goes to the envelope
 * sender (§3.1.1) at most once per sender per period, and never to:
 * a bounce (null sender), mail marked Auto-Submitted (§5), mailing lists
 * and bulk mail (List-Id, List-Unsubscribe, Precedence), the usual robot
 * addresses (§2: mailer-daemon, postmaster, list owners, noreply), the
 * user themself, or mail that does not name the user in To or Cc (a Bcc'd
 * copy, list mail that slipped through, a forwarded copy: §2, and Sieve
 * vacation, RFC 5230 §4.5).
 */
const ROBOT_LOCAL_PARTS =
  /^(mailer-daemon|postmaster|listserv|majordomo|.*-request|owner-.*|.*-owner|no-?reply|do-?not-?reply|bounces?)([+-].*)?$/i;
const BULK_PRECEDENCE = new Set(['bulk', 'list', 'junk']);
/** RFC 5233 subaddress separator, as local delivery resolves it: "taro+news@" is taro's. */
const SUBADDRESS_SEPARATOR = '+';

export function autoreplyAllowed(input: {
  sender: string;
  userAddress: string;
  summary: MessageSummary;
  /**
   * Our domains, each to its main domain (RecipientResolver.localDomains()):
   * with it, an alias domain's address counts as the user's too; without it,
   * only addresses in the user's own domain do.
   */
  localDomains?: ReadonlyMap<string, string>;
}): boolean {
  const sender = input.sender.toLowerCase();
  if (sender === '' || sender === input.userAddress.toLowerCase()) return false;
  const localPart = sender.slice(0, sender.lastIndexOf('@'));
  if (ROBOT_LOCAL_PARTS.test(localPart)) return false;
  const { autoSubmitted, precedence, fromList } = input.summary;
  if (autoSubmitted !== '' && autoSubmitted !== 'no') return false;
  if (BULK_PRECEDENCE.has(precedence) || fromList) return false;
  return addressedToUser(input.summary, input.userAddress, input.localDomains);
}

/**
 * RFC 3834 §2, RFC 5230 §4.5: does To or Cc name one of the user's
 * addresses — their own, with a "+tag" or not, in their domain or one of
 * its alias domains? Role addresses (postmaster@) that reach an admin are
 * not personal and do not count.
 */
export function addressedToUser(
  summary: Pick<MessageSummary, 'recipients'>,
  userAddress: string,
  localDomains?: ReadonlyMap<string, string>,
): boolean {
  const user = splitAddress(userAddress.toLowerCase());
  if (!user) return false;
  return summary.recipients.some((address) => {
    const named = splitAddress(address.toLowerCase());
    if (!named) return false;
    const domain = localDomains?.get(named.domain) ?? named.domain;
    if (domain !== user.domain) return false;
    const separator = named.localPart.indexOf(SUBADDRESS_SEPARATOR);
    return (
      named.localPart === user.localPart ||
      (separator > 0 && named.localPart.slice(0, separator) === user.localPart)
    );
  });
}

function splitAddress(address: string): { localPart: string; domain: string } | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return undefined;
  return { localPart: address.slice(0, at), domain: address.slice(at + 1) };
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

/**
 * The SMTP replies local delivery hands back for a recipient it cannot
 * serve (RFC 5321 §4.2 codes, RFC 3463 enhanced codes). The listeners
 * write them as they are: 452 4.2.2 at RCPT or DATA, 550 5.1.1 at DATA.
 */
export const DeliveryReply = {
  /** X.2.2: mailbox full; temporary, so the sender keeps retrying while the user cleans up. */
  mailboxFull: { code: 452, enhanced: '4.2.2', message: 'mailbox full, try again later' },
  /** X.1.1: the address reaches no one (it was valid at RCPT, but the user is gone now). */
  noSuchUser: { code: 550, enhanced: '5.1.1', message: 'no such user here' },
  /** X.4.6: forwarding goes round in circles deeper than MAX_FORWARD_DEPTH. */
  forwardingLoop: { code: 554, enhanced: '5.4.6', message: 'mail forwarding loop' },
} as const;

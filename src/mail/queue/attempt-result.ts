/**
 * What one delivery attempt did for one recipient, in the terms a DSN
 * needs (RFC 3464 §2.3): a status code (RFC 3463), a diagnostic, the remote
 * server that answered.
 */
export type RecipientResult =
  | { kind: 'delivered'; remoteMta?: string; diagnostic: string }
  | { kind: 'deferred'; status: string; diagnostic: string; remoteMta?: string }
  | { kind: 'failed'; status: string; diagnostic: string; remoteMta?: string };

/** A failure that concerns every recipient of the attempt (no route, no connection). */
export class AttemptError extends Error {
  readonly permanent: boolean;
  /** RFC 3463 status, e.g. "4.4.1". */
  readonly status: string;
  readonly remoteMta: string | undefined;

  constructor(permanent: boolean, status: string, message: string, remoteMta?: string) {
    super(message);
    this.name = 'AttemptError';
    this.permanent = permanent;
    this.status = status;
    this.remoteMta = remoteMta;
  }

  result(): RecipientResult {
    return {
      kind: this.permanent ? 'failed' : 'deferred',
      status: this.status,
      diagnostic: `x-coo; ${this.message}`,
      remoteMta: this.remoteMta,
    };
  }
}

/** RFC 3463 §3: "class.subject.detail". */
const ENHANCED = /^[245]\.\d{1,3}\.\d{1,3}$/;

/**
 * Reads a server reply such as "550 5.1.1 no such user" (or several lines)
 * into a result: 2xx delivered, 4xx deferred, 5xx failed. A reply without an
 * enhanced code gets the class's generic one (X.0.0).
 */
export function resultOfReply(reply: string, remoteMta?: string): RecipientResult {
  const text = reply.trim().replace(/\r?\n/g, ' ');
  const code = Number(/^(\d{3})/.exec(text)?.[1] ?? 0);
  const enhanced = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1];
  const diagnostic = `smtp; ${text}`;
  if (code >= 200 && code < 300) return { kind: 'delivered', remoteMta, diagnostic };
  // RFC 5321 §4.2.1: 5yz is permanent; 503 (bad sequence) says the session went wrong, not the message.
  const permanent = code >= 500 && code !== 503;
  const status =
    enhanced && ENHANCED.test(enhanced) && enhanced.startsWith(permanent ? '5' : '4')
      ? enhanced
      : permanent
        ? '5.0.0'
        : '4.0.0';
  return permanent
    ? { kind: 'failed', status, diagnostic, remoteMta }
    : { kind: 'deferred', status, diagnostic, remoteMta };
}

/** A local delivery's reply (e.g. 452 4.2.2 mailbox full) as a result. */
export function resultOfLocalReply(reply: {
  code: number;
  enhanced: string;
  message: string;
}): RecipientResult {
  return resultOfReply(`${reply.code} ${reply.enhanced} ${reply.message}`);
}

/**
 * The trace fields this hop puts on top of a message it accepts:
 * Return-Path (RFC 5321 §4.4: the envelope sender, added at final
 * delivery), the authentication results, and Received (RFC 5321 §4.4).
 */
export interface TraceInput {
  sender: string;
  recipients: readonly string[];
  helo: string;
  clientHostname: string;
  clientAddress: string;
  hostname: string;
  /** ESMTP, ESMTPS… (RFC 3848). */
  protocol: string;
  tls: { version: string; cipher: string } | undefined;
  sessionId: string;
  at: Date;
  /** Authentication-Results (and Received-SPF) fields, each ending in CRLF. */
  authenticationFields: string;
}

export function traceHeaderBlock(input: TraceInput): Buffer {
  const from = input.helo && input.helo !== input.clientHostname ? input.helo : input.clientHostname;
  const client =
    input.clientHostname && !input.clientHostname.startsWith('[')
      ? `${input.clientHostname} [${input.clientAddress}]`
      : `[${input.clientAddress}]`;
  const tls = input.tls ? `\r\n\t(version=${input.tls.version} cipher=${input.tls.cipher})` : '';
  // "for" only with one recipient: listing several would tell each about the others (RFC 5321 §7.2).
  const recipient = input.recipients.length === 1 ? `\r\n\tfor <${input.recipients[0]}>` : '';
  const received =
    `Received: from ${sanitize(from)} (${sanitize(client)})\r\n` +
    `\tby ${input.hostname} (Coo) with ${input.protocol}${tls}\r\n` +
    `\tid ${input.sessionId}${recipient}; ${rfc5322Date(input.at)}\r\n`;
  return Buffer.from(
    `Return-Path: <${sanitize(input.sender)}>\r\n${input.authenticationFields}${received}`,
    'utf8',
  );
}

/** RFC 5322 §3.3 date-time with a numeric zone, e.g. "Sun, 22 Nov 2026 15:24:35 +0000". */
export function rfc5322Date(date: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${days[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/** What a client chose (HELO name, addresses) must not break the header: no line breaks, no control bytes. */
function sanitize(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it removes
  return text.replace(/[\x00-\x1f\x7f]/g, '').slice(0, 255);
}

import type { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

/**
 * smtp-server adds an enhanced status code (RFC 3463) to every reply when
 * ENHANCEDSTATUSCODES is on, but picks it from the basic code alone for a
 * handler's error: a 550 always becomes 5.1.1, so a DMARC refusal would read
 * "550 5.1.1" where it must read "550 5.7.1", and a relay refusal "554
 * 5.6.0". Our replies carry their own code at the start of the text
 * (replies.ts); for the servers registered here, such a text is written as
 * it is and the library's guess is left out. Every other reply — the
 * library's own, and every server not registered — is unchanged.
 */
const serversWithOwnCodes = new WeakSet<SMTPServer>();
const ENHANCED_CODE_AT_START = /^[245]\.\d{1,3}\.\d{1,3} /;

let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const prototype = SMTPConnection.prototype as unknown as {
    send(this: SMTPConnection, code: number, data?: string | string[] | null, context?: string | false): void;
  };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call(this) below
  const send = prototype.send;
  prototype.send = function sendWithOwnEnhancedCode(code, data, context) {
    const own =
      typeof data === 'string' && ENHANCED_CODE_AT_START.test(data) && serversWithOwnCodes.has(this._server);
    send.call(this, code, data, own ? false : context);
  };
}

/** Lets this server's handlers give their replies' enhanced codes themselves. */
export function useOwnEnhancedCodes(server: SMTPServer): void {
  install();
  serversWithOwnCodes.add(server);
}

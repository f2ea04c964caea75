import type net from 'node:net';
import tls from 'node:tls';

/**
 * Runs the server side of a TLS handshake on a connected socket: at once
 * for pop3s, after "+OK" to STLS for pop3 (RFC 2595 §4). Resolves with the
 * TLS socket once the handshake is done; rejects (and destroys both
 * sockets) when it fails, the client leaves or the timer runs out.
 */
export function upgradeToTls(
  raw: net.Socket,
  secureContext: tls.SecureContext,
  timeoutMs: number,
): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = new tls.TLSSocket(raw, { isServer: true, secureContext });
    const timer = setTimeout(
      () => fail(new Error(`TLS handshake not done within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const cleanup = () => {
      clearTimeout(timer);
      secure.off('error', fail);
      secure.off('close', onClose);
    };
    const fail = (error: Error) => {
      cleanup();
      // Errors after this one (the socket torn down) must not go unhandled.
      secure.on('error', () => undefined);
      secure.destroy();
      raw.destroy();
      reject(error);
    };
    const onClose = () => fail(new Error('the client left during the TLS handshake'));
    secure.once('secure', () => {
      cleanup();
      resolve(secure);
    });
    secure.on('error', fail);
    secure.on('close', onClose);
  });
}

/**
 * Before STARTTLS/STLS: the plaintext session stops listening and the socket
 * is paused, so that nothing the client sent after the command, still in
 * plaintext, is taken as a command once TLS is up (the command injection of
 * CVE-2011-0411).
 */
export function detachPlaintext(
  raw: net.Socket,
  listeners: { data: (chunk: Buffer) => void; timeout: () => void },
): void {
  raw.off('data', listeners.data);
  raw.off('timeout', listeners.timeout);
  raw.setTimeout(0);
  raw.pause();
}

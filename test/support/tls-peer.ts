import tls from 'node:tls';

/**
 * Opens a new TLS connection (a full handshake, never a resumed session) and
 * resolves with the certificate the server presented. With `ca` the
 * handshake also verifies it for `servername` (default localhost).
 */
export function peerCertificate(
  port: number,
  options: { ca?: string | string[]; servername?: string } = {},
): Promise<tls.PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      {
        host: '127.0.0.1',
        port,
        servername: options.servername ?? 'localhost',
        ca: options.ca,
        rejectUnauthorized: options.ca !== undefined,
      },
      () => {
        const certificate = socket.getPeerCertificate();
        socket.end();
        resolve(certificate);
      },
    );
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('TLS handshake timed out')));
  });
}

/** Polls the server's certificate every `everyMs` until its SHA-256 is `fingerprint256`; resolves with the time it took. */
export async function waitForPeerFingerprint(
  port: number,
  fingerprint256: string,
  options: { timeoutMs?: number; everyMs?: number } = {},
): Promise<number> {
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 15_000);
  let seen = '';
  while (Date.now() < deadline) {
    seen = (await peerCertificate(port)).fingerprint256;
    if (seen === fingerprint256) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 100));
  }
  throw new Error(`the server still presents ${seen}, not ${fingerprint256}`);
}

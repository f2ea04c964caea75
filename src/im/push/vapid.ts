import { generateKeyPairSync } from 'node:crypto';

/** The setting `coo init` stores the server's VapidKeys under. */
export const VAPID_SETTING = 'webpush.vapid';

export interface VapidKeys {
  /** The uncompressed P-256 point (65 bytes, 0x04 ‖ x ‖ y), base64url: the applicationServerKey browsers subscribe with. */
  publicKey: string;
  /** The private scalar (32 bytes), base64url. */
  privateKey: string;
}

/**
 * The server's key pair for Web Push (RFC 8292), in the format of the
 * `web-push` library's generateVAPIDKeys(), so keys move between them.
 */
export function generateVapidKeys(): VapidKeys {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  // A JWK's x, y and d are fixed-length (RFC 7518 §6.2.1): 32 bytes each on P-256, leading zeros kept.
  const jwk = privateKey.export({ format: 'jwk' });
  if (jwk.x === undefined || jwk.y === undefined || jwk.d === undefined)
    throw new Error('EC key export lacks x, y or d');
  const point = Buffer.concat([
    Buffer.from([0x04]),
    Buffer.from(jwk.x, 'base64url'),
    Buffer.from(jwk.y, 'base64url'),
  ]);
  return { publicKey: point.toString('base64url'), privateKey: jwk.d };
}

/**
 * Connection-level parts of the messenger protocol: the WebSocket close
 * codes the server uses, and the keep-alive frames. Types and constants only
 * (shared with the web client).
 */

/**
 * Why the server closed the WebSocket. 1000–1011 are RFC 6455 §7.4.1 codes;
 * 4000–4999 are "reserved for private use" (RFC 6455 §7.4.2) and ours.
 */
export const ImCloseCode = {
  /** The client said `bye`. */
  NORMAL: 1000,
  /** The server is shutting down: reconnect (to another node) after a pause. */
  GOING_AWAY: 1001,
  /** Policy: the first frame was not `hello`, no hello in time, too many failed hellos, or flooding. */
  POLICY: 1008,
  /** A frame over the size limit (64 KiB). Sent by the WebSocket layer itself. */
  TOO_BIG: 1009,
  /** A new login of the same person replaced this session (single-login policy); see `session.replaced`. */
  REPLACED: 4001,
  /** This device was revoked (by the user or an administrator): log in with the password again. */
  DEVICE_REVOKED: 4002,
  /** The account was disabled or its validity period ended; see `session.ended`. */
  ACCOUNT_BLOCKED: 4003,
} as const;
export type ImCloseCode = (typeof ImCloseCode)[keyof typeof ImCloseCode];

/** Client keep-alive for environments that cannot see WebSocket pings; answered by `pong`. */
export interface PingFrame {
  t: 'ping';
}

export interface PongFrame {
  t: 'pong';
}

/**
 * The gateway's limits and timers, named in one place. The defaults are what
 * production runs; tests shorten the timers (startServer's `messenger` option).
 */
export interface GatewayOptions {
  /** The HTTP path of the WebSocket. */
  path: string;
  /** Largest frame a client may send; a bigger one closes the connection with 1009. */
  maxPayloadBytes: number;
  /** The first frame must be a `hello` within this time. */
  helloTimeoutMs: number;
  /** Failed hellos (wrong password…) allowed on one connection before it is closed. */
  maxFailedHellos: number;
  /**
   * The server pings every interval and drops a connection silent for two
   * intervals: dead connections are noticed within three intervals (90 s).
   * A WebSocket ping costs 2 bytes (+ TLS record) each way, so an idle client
   * stays far under 120 bytes a minute.
   */
  heartbeatIntervalMs: number;
  /** Frames a client may send per second on average… */
  ratePerSecond: number;
  /** …and in one burst. */
  rateBurst: number;
  /**
   * Rejected (rate-limited) frames tolerated: they drain a second bucket
   * that refills at `floodForgivenessPerSecond`; when it is empty the
   * client is closed with 1008. A client a little over the rate is only
   * throttled; one that keeps flooding is cut off.
   */
  floodTolerance: number;
  floodForgivenessPerSecond: number;
  /** A connection whose unsent output passes this is too slow to keep up: it is dropped. */
  maxBufferedBytes: number;
  /** How long shutdown waits for clients to answer the close frame before cutting them. */
  closeGraceMs: number;
}

export const DEFAULT_GATEWAY_OPTIONS: GatewayOptions = {
  path: '/ws',
  maxPayloadBytes: 64 * 1024,
  helloTimeoutMs: 10_000,
  maxFailedHellos: 3,
  heartbeatIntervalMs: 30_000,
  ratePerSecond: 20,
  rateBurst: 60,
  floodTolerance: 60,
  floodForgivenessPerSecond: 5,
  maxBufferedBytes: 4 * 1024 * 1024,
  closeGraceMs: 2_000,
};

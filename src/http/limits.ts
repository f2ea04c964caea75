/** Guards against slow or oversized clients; every one has a name here. */
export const HTTP_LIMITS = {
  /** Largest request body: admin requests are small JSON documents. */
  bodyBytes: 1024 * 1024,
  /** The whole request must arrive within this (slowloris guard). */
  requestTimeoutMs: 30_000,
  /** A handler that has not answered by then gets 503 UNAVAILABLE. */
  handlerTimeoutMs: 30_000,
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: 72_000,
  /** Longest path parameter: an address is up to 320 characters, more once percent-encoded. */
  paramChars: 1024,
} as const;

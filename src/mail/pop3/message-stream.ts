/**
 * Turning a stored message into a multi-line POP3 response, chunk by chunk
 * (no I/O here): dot-stuffing and the terminator (RFC 1939 §3), and the cut
 * of TOP (RFC 1939 §7). The message's bytes are never changed otherwise, so
 * what the client gets is exactly what was stored, and LIST's sizes hold.
 */

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const LF_DOT = Buffer.from('\n.', 'latin1');
const EXTRA_DOT = Buffer.from('.', 'latin1');
const TERMINATOR = Buffer.from('.\r\n', 'latin1');
const CRLF_TERMINATOR = Buffer.from('\r\n.\r\n', 'latin1');

/**
 * RFC 1939 §3: a line of a multi-line response that begins with "." gets one
 * more "." in front. A line begins after every LF — a bare LF too, since
 * clients split lines there and would take a lone "." for the end.
 */
export class DotStuffer {
  #atLineStart = true;

  /** The chunk as it goes on the wire: pieces of it with the extra dots between. */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length === 0) return [];
    const out: Buffer[] = [];
    if (this.#atLineStart && chunk[0] === DOT) out.push(EXTRA_DOT);
    let start = 0;
    let at = chunk.indexOf(LF_DOT);
    while (at !== -1) {
      out.push(chunk.subarray(start, at + 1), EXTRA_DOT);
      start = at + 1;
      at = chunk.indexOf(LF_DOT, start);
    }
    out.push(start === 0 ? chunk : chunk.subarray(start));
    this.#atLineStart = chunk[chunk.length - 1] === LF;
    return out;
  }

  /** The end of the response: CRLF "." CRLF, the first CRLF left out when the content ended a line. */
  end(): Buffer {
    return this.#atLineStart ? TERMINATOR : CRLF_TERMINATOR;
  }
}

/**
 * RFC 1939 §7 (TOP msg n): the header, the blank line after it, and the
 * first n lines of the body. take() returns the part of each chunk to send
 * and whether the cut has been reached (the rest need not be read).
 */
export class TopLimiter {
  readonly #bodyLines: number;
  #inBody = false;
  #lineOctets = 0;
  #linesSent = 0;

  constructor(bodyLines: number) {
    this.#bodyLines = bodyLines;
  }

  take(chunk: Buffer): { piece: Buffer; done: boolean } {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte !== LF) {
        if (byte !== CR) this.#lineOctets++;
        continue;
      }
      if (this.#inBody) {
        this.#linesSent++;
      } else if (this.#lineOctets === 0) {
        // The empty line that ends the header.
        this.#inBody = true;
      }
      this.#lineOctets = 0;
      if (this.#inBody && this.#linesSent >= this.#bodyLines) {
        return { piece: chunk.subarray(0, i + 1), done: true };
      }
    }
    return { piece: chunk, done: false };
  }
}

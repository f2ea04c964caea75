const LF = 0x0a;

/**
 * BODYSTRUCTURE reports the lines of every text and message part (RFC 9051
 * §7.5.2 body-fld-lines); message parts nest, so counting each range afresh
 * could read the same octets once per level. Counts per 4 KB block are kept
 * instead, and a range costs at most two partial blocks.
 */
/** Line feeds in a range, with a table of counts per block so a range costs at most two partial blocks. */
export class LineCounter {
  static readonly block = 4096;
  readonly #raw: Buffer;
  #before: Uint32Array | null = null;

  constructor(raw: Buffer) {
    this.#raw = raw;
  }

  count(start: number, end: number): number {
    const block = LineCounter.block;
    if (end - start <= 2 * block) return this.#scan(start, end);
    const before = this.#table();
    const first = Math.ceil(start / block);
    const last = Math.floor(end / block);
    return (
      this.#scan(start, first * block) +
      (before[last] ?? 0) -
      (before[first] ?? 0) +
      this.#scan(last * block, end)
    );
  }

  #scan(start: number, end: number): number {
    const raw = this.#raw;
    let lines = 0;
    for (let i = start; i < end; i++) if (raw[i] === LF) lines++;
    return lines;
  }

  /** before[k]: line feeds in [0, k * block). */
  #table(): Uint32Array {
    if (this.#before) return this.#before;
    const block = LineCounter.block;
    const blocks = Math.ceil(this.#raw.length / block);
    const before = new Uint32Array(blocks + 1);
    for (let k = 0; k < blocks; k++) {
      before[k + 1] = (before[k] ?? 0) + this.#scan(k * block, Math.min((k + 1) * block, this.#raw.length));
    }
    this.#before = before;
    return before;
  }
}

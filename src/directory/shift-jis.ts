/**
 * Shift_JIS (the WHATWG Encoding Standard's, which is what Excel in Japan
 * writes as CP932). Node decodes it with TextDecoder but has no encoder, so
 * the encoding table is built once from the decoder itself: whatever we
 * write, TextDecoder reads back to the same text.
 */

let table: Map<number, number> | undefined;

// WHATWG Encoding §13.3: lead bytes 0x81–0x9F and 0xE0–0xFC; trail bytes
// 0x40–0x7E and 0x80–0xFC.
function pointerOf(lead: number, trail: number): number {
  return (lead - (lead < 0xa0 ? 0x81 : 0xc1)) * 188 + (trail - (trail < 0x7f ? 0x40 : 0x41));
}

// §13.3.3: the encoder skips pointers 8272–8835 (NEC-selected IBM extensions),
// which duplicate characters also found in rows 0xFA–0xFC.
const IBM_DUPLICATES = { from: 8272, to: 8835 };

function buildTable(): Map<number, number> {
  const decoder = new TextDecoder('shift_jis', { fatal: true });
  const map = new Map<number, number>();
  const fallback = new Map<number, number>();
  for (let byte = 0; byte < 0x80; byte++) map.set(byte, byte);
  // Half-width katakana.
  for (let byte = 0xa1; byte <= 0xdf; byte++) map.set(0xff61 + byte - 0xa1, byte);
  const pair = new Uint8Array(2);
  for (let lead = 0x81; lead <= 0xfc; lead++) {
    if (lead >= 0xa0 && lead < 0xe0) continue;
    for (let trail = 0x40; trail <= 0xfc; trail++) {
      if (trail === 0x7f) continue;
      pair[0] = lead;
      pair[1] = trail;
      let text: string;
      try {
        text = decoder.decode(pair);
      } catch {
        continue;
      }
      const codePoint = text.codePointAt(0);
      if (codePoint === undefined || text.length !== 1) continue;
      const pointer = pointerOf(lead, trail);
      const target = pointer >= IBM_DUPLICATES.from && pointer <= IBM_DUPLICATES.to ? fallback : map;
      if (!target.has(codePoint)) target.set(codePoint, (lead << 8) | trail);
    }
  }
  for (const [codePoint, bytes] of fallback) if (!map.has(codePoint)) map.set(codePoint, bytes);
  return map;
}

/** The first character Shift_JIS cannot represent, or undefined when all can be. */
export function firstUnencodable(text: string): string | undefined {
  table ??= buildTable();
  for (const character of text) {
    if (!table.has(character.codePointAt(0) ?? -1)) return character;
  }
  return undefined;
}

/** Encodes text; throws a RangeError naming the first character Shift_JIS lacks. */
export function encodeShiftJis(text: string): Buffer {
  table ??= buildTable();
  const out = Buffer.allocUnsafe(text.length * 2);
  let length = 0;
  for (const character of text) {
    const codePoint = character.codePointAt(0) ?? -1;
    const bytes = table.get(codePoint);
    if (bytes === undefined)
      throw new RangeError(`${describeCharacter(character)} has no Shift_JIS encoding`);
    if (bytes > 0xff) out[length++] = bytes >> 8;
    out[length++] = bytes & 0xff;
  }
  return out.subarray(0, length);
}

/** "😀" (U+1F600), for messages that name a character an admin must find. */
export function describeCharacter(character: string): string {
  const hex = (character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return `"${character}" (U+${hex})`;
}

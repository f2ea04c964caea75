/**
 * The fields of a header block (RFC 5322 §2.2) found as offsets, without
 * making a string of each: a hostile message of millions of header lines
 * costs one pass, and only the fields asked for are turned into strings.
 * Same reading as header-block.ts headerFields(): a line starting with
 * white space continues the field before it, a line without a colon is no
 * field (and swallows its continuation lines), the empty line ends the block.
 */

const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;

export interface FieldSpan {
  nameStart: number;
  /** Past the name, white space before the colon excluded; -1 for a line that is no field. */
  nameEnd: number;
  /** Just past the colon. */
  valueStart: number;
  /** End of the field's last line, its line break excluded. */
  end: number;
}

/** Reads the line [start, lineEnd) as the first line of a field into `field` (nameEnd -1: no field). */
function readFieldLine(raw: Buffer, start: number, lineEnd: number, field: FieldSpan): void {
  let colon = start;
  while (colon < lineEnd && raw[colon] !== COLON) colon++;
  let nameEnd = colon;
  while (nameEnd > start && (raw[nameEnd - 1] === SPACE || raw[nameEnd - 1] === TAB)) nameEnd--;
  field.nameStart = start;
  field.nameEnd = colon === lineEnd || nameEnd === start ? -1 : nameEnd;
  field.valueStart = Math.min(colon + 1, lineEnd);
  field.end = lineEnd;
}

/**
 * Calls `visit` for each field of the header block in [start, end), in
 * order. The span passed is reused for the next field: copy what you keep.
 */
export function forEachField(
  raw: Buffer,
  start: number,
  end: number,
  visit: (field: FieldSpan) => void,
): void {
  const current: FieldSpan = { nameStart: start, nameEnd: -1, valueStart: start, end: start };
  let open = false;
  let pos = start;
  while (pos < end) {
    // A byte loop: header lines are short, and a native search per line costs more than the line.
    let lf = pos;
    while (lf < end && raw[lf] !== LF) lf++;
    const lineEnd = lf > pos && raw[lf - 1] === CR ? lf - 1 : lf;
    if (lineEnd === pos) break; // the empty line
    const first = raw[pos];
    if ((first === SPACE || first === TAB) && open) current.end = lineEnd;
    else {
      if (open && current.nameEnd !== -1) visit(current);
      readFieldLine(raw, pos, lineEnd, current);
      open = true;
    }
    pos = lf + 1;
  }
  if (open && current.nameEnd !== -1) visit(current);
}

/** Whether the field's name is `lowerName` (given in lower case), compared case-insensitively. */
export function fieldNameIs(raw: Buffer, field: FieldSpan, lowerName: string): boolean {
  if (field.nameEnd - field.nameStart !== lowerName.length) return false;
  for (let i = 0; i < lowerName.length; i++) {
    let byte = raw[field.nameStart + i] ?? 0;
    if (byte >= 0x41 && byte <= 0x5a) byte += 0x20;
    if (byte !== lowerName.charCodeAt(i)) return false;
  }
  return true;
}

/** The value unfolded (RFC 5322 §2.2.3) and trimmed, as latin1 so every octet survives. */
export function fieldValue(raw: Buffer, field: FieldSpan): string {
  return raw
    .toString('latin1', field.valueStart, field.end)
    .replace(/\r?\n(?=[ \t])/g, '')
    .trim();
}

/** The value of the first field of each of `names` (lower case) that the block has. */
export function firstFieldValues(
  raw: Buffer,
  start: number,
  end: number,
  names: readonly string[],
): Map<string, string> {
  const byLength = new Map<number, string[]>();
  for (const name of names) byLength.set(name.length, [...(byLength.get(name.length) ?? []), name]);
  const values = new Map<string, string>();
  forEachField(raw, start, end, (field) => {
    const candidates = byLength.get(field.nameEnd - field.nameStart);
    if (!candidates) return;
    const name = candidates.find((candidate) => fieldNameIs(raw, field, candidate));
    if (name !== undefined && !values.has(name)) values.set(name, fieldValue(raw, field));
  });
  return values;
}

/** Writes one line (or several joined by newlines) to stdout. */
export function print(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** Writes one line to stderr. */
export function printError(text: string): void {
  process.stderr.write(`${text}\n`);
}

export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}

// East Asian wide and fullwidth ranges (UAX #11) and the common emoji blocks
// take two columns; combining marks and variation selectors none. Enough to
// line up Japanese names in a terminal.
const WIDE_RANGES: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];
const ZERO_WIDTH_RANGES: readonly (readonly [number, number])[] = [
  [0x0300, 0x036f],
  [0x200b, 0x200f],
  [0x3099, 0x309a],
  [0xfe00, 0xfe0f],
];

const inRanges = (code: number, ranges: readonly (readonly [number, number])[]) =>
  ranges.some(([low, high]) => code >= low && code <= high);

/** Columns a string takes in a terminal. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (inRanges(code, ZERO_WIDTH_RANGES)) continue;
    width += inRanges(code, WIDE_RANGES) ? 2 : 1;
  }
  return width;
}

function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}

export interface TableOptions {
  /** Indexes of columns aligned to the right (counts). */
  alignRight?: number[];
}

/**
 * Lines of an aligned table: a header row in capitals, two spaces between
 * columns, no trailing blanks (so `grep` and `awk` see clean fields).
 */
export function formatTable(headers: string[], rows: string[][], options: TableOptions = {}): string[] {
  const right = new Set(options.alignRight ?? []);
  const all = [headers.map((h) => h.toUpperCase()), ...rows];
  const widths = headers.map((_, column) => Math.max(...all.map((row) => displayWidth(row[column] ?? ''))));
  return all.map((row) =>
    row
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        if (right.has(column)) return padStart(cell, width);
        return column === row.length - 1 ? cell : padEnd(cell, width);
      })
      .join('  ')
      .trimEnd(),
  );
}

export function printTable(headers: string[], rows: string[][], options: TableOptions = {}): void {
  for (const line of formatTable(headers, rows, options)) print(line);
}

/** "key:   value" lines, values lined up. */
export function formatKeyValues(pairs: [string, string][]): string[] {
  const width = Math.max(0, ...pairs.map(([key]) => displayWidth(key))) + 1;
  return pairs.map(([key, value]) => `${padEnd(`${key}:`, width)} ${value}`.trimEnd());
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** A moment in local time, to the second: "2026-11-22 09:30:05". */
export function formatTime(ms: number | null): string {
  if (ms === null) return '';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  const day = `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
  return `${day} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** A moment for JSON output: ISO 8601 in UTC, or null. */
export function isoTime(ms: number | null): string | null {
  if (ms === null) return null;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** "1 user", "3 users". */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** Seconds with one decimal: "12.3 s". */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

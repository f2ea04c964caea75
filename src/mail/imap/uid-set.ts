/** UIDs (ascending) as a compact IMAP sequence set: [1,2,3,7,9,10] → "1:3,7,9:10" (RFC 9051 §9). */
export function compressUids(sorted: readonly number[]): string {
  const parts: string[] = [];
  let start = sorted[0];
  let previous = start;
  for (let index = 1; index <= sorted.length; index++) {
    const value = sorted[index];
    if (value !== undefined && previous !== undefined && value === previous + 1) {
      previous = value;
      continue;
    }
    if (start !== undefined && previous !== undefined) {
      parts.push(start === previous ? `${start}` : `${start}:${previous}`);
    }
    start = value;
    previous = value;
  }
  return parts.join(',');
}

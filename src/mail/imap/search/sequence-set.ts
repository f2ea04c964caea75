import type { SeqNumber, SequenceSet } from '../protocol/ast.ts';

/**
 * Sequence sets (RFC 9051 §9 sequence-set) made into a membership test
 * once, so a SEARCH over 100k messages does a binary search per message
 * instead of walking the ranges.
 */
export type NumberMatcher = (value: number) => boolean;

/**
 * A set as sorted, merged [low, high] ranges. "*" is `max` (RFC 9051 §9:
 * the largest number in use, so "559:*" includes the last message even
 * when 559 is larger), and "a:b" means the same as "b:a".
 *
 * "$" (RFC 5182 §2.1) is the saved result, which holds UIDs whatever the
 * command: the matcher then takes UIDs, and the caller passes a message's
 * UID even for a sequence-number key.
 */
export function compileSequenceSet(
  set: SequenceSet,
  max: number,
  savedUids: readonly number[],
): NumberMatcher {
  const ranges =
    set.kind === 'saved'
      ? savedUids.map((uid): [number, number] => [uid, uid])
      : set.ranges.map((range): [number, number] => {
          const start = resolve(range.start, max);
          const end = resolve(range.end, max);
          return start <= end ? [start, end] : [end, start];
        });
  const merged = mergeRanges(ranges);
  const lows = merged.map((range) => range[0]);
  const highs = merged.map((range) => range[1]);
  return (value) => {
    // The last range whose low end is at or below the value.
    let low = 0;
    let high = lows.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if ((lows[middle] ?? 0) <= value) low = middle + 1;
      else high = middle - 1;
    }
    return high >= 0 && value <= (highs[high] ?? -1);
  };
}

/** Whether a number is in a set (see compileSequenceSet; for "$" the value must be a UID). */
export function sequenceSetContains(
  set: SequenceSet,
  value: number,
  max: number,
  savedUids: readonly number[],
): boolean {
  return compileSequenceSet(set, max, savedUids)(value);
}

function resolve(number: SeqNumber, max: number): number {
  return number === '*' ? max : number;
}

function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1] + 1) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

/**
 * IMAP's two date formats (RFC 9051 §9): a search date "1-Feb-1994" and an
 * APPEND date-time "17-Jul-1996 02:44:25 -0700". Both are short and fixed in
 * form; the patterns below are anchored with no nested repetition, so they
 * cannot backtrack, and their inputs are length-checked first anyway.
 */

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** RFC 9051 §9 date-text = date-day "-" date-month "-" date-year (date-day = 1*2DIGIT). */
const DATE = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/;

/**
 * RFC 9051 §9 date-time (without its quotes). date-day-fixed is (SP DIGIT) /
 * 2DIGIT; a bare single digit is accepted too, as some clients send it.
 */
const DATE_TIME = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last of this one; setUTCFullYear keeps years below 100 as they are.
  const date = new Date(0);
  date.setUTCFullYear(year, month + 1, 0);
  return date.getUTCDate();
}

/** Day, month (0-based) and year of a matched date, or undefined when the day does not exist. */
function calendarDay(
  dayText: string,
  monthText: string,
  yearText: string,
): [number, number, number] | undefined {
  const month = MONTHS.indexOf(monthText.toUpperCase());
  const day = Number(dayText);
  const year = Number(yearText);
  if (month < 0 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return [day, month, year];
}

/** "1-Feb-1994" → "1994-02-01"; undefined when malformed or not a real day. */
export function parseSearchDate(text: string): string | undefined {
  if (text.length > 11) return undefined;
  const match = DATE.exec(text);
  if (!match) return undefined;
  const parts = calendarDay(match[1]!, match[2]!, match[3]!);
  if (!parts) return undefined;
  const [day, month] = parts;
  return `${match[3]}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** "17-Jul-1996 02:44:25 -0700" → ms since the epoch; undefined when malformed or out of range. */
export function parseDateTime(text: string): number | undefined {
  if (text.length > 26) return undefined;
  const match = DATE_TIME.exec(text);
  if (!match) return undefined;
  const parts = calendarDay(match[1]!, match[2]!, match[3]!);
  if (!parts) return undefined;
  const [day, month, year] = parts;
  const [hour, minute, second] = [Number(match[4]), Number(match[5]), Number(match[6])];
  const [zoneHours, zoneMinutes] = [Number(match[8]), Number(match[9])];
  // A leap second (60) is taken as the next minute's start, as Date does.
  if (hour > 23 || minute > 59 || second > 60 || zoneMinutes > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(hour, minute, second, 0);
  const offset = (zoneHours * 60 + zoneMinutes) * 60_000 * (match[7] === '-' ? -1 : 1);
  return date.getTime() - offset;
}

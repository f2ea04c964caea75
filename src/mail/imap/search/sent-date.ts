/**
 * The Date header (RFC 5322 §3.3, with the obsolete forms of §4.3) as SEARCH
 * SENT* and SORT/THREAD need it: the instant, and the calendar day as the
 * sender wrote it, since RFC 9051 §6.4.4 compares SENT* dates "disregarding
 * time and timezone".
 */

export interface SentDate {
  /** ms since the epoch, UTC. */
  time: number;
  /** The written date as days since 1970-01-01. */
  day: number;
}

export const MS_PER_DAY = 86_400_000;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * RFC 5322 §4.3 obs-zone, in minutes east of UTC. Other letters (military
 * zones) mean "unknown" and count as +0000. JST is no standard name, but
 * Japanese mailers write it often enough that reading it as +0900 is kinder.
 */
const ZONES: Readonly<Record<string, number>> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
  jst: 540,
};

// [day-of-week ","] day month year hour ":" minute [":" second] [zone]; comments and CFWS are loose.
const RFC5322_DATE =
  /^\s*(?:[a-z]+\s*,?\s*)?(\d{1,2})\s*-?\s*([a-z]{3})[a-z]*\.?\s*-?\s*(\d{2,4})\s+(\d{1,2})\s*:\s*(\d{1,2})(?:\s*:\s*(\d{1,2}))?\s*([+-]\d{4}|[a-z]+)?/i;

/** Reads a Date header value; null when it is no date. */
export function parseSentDate(value: string): SentDate | null {
  const match = RFC5322_DATE.exec(value);
  if (!match) return parseLoosely(value);
  const [, dayText, monthText, yearText, hourText, minuteText, secondText, zoneText] = match;
  const month = MONTHS.indexOf((monthText ?? '').toLowerCase());
  const day = Number(dayText);
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = Number(secondText ?? 0);
  if (month === -1 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const year = fullYear(yearText ?? '');
  const offset = zoneOffset(zoneText);
  const dayStart = Date.UTC(year, month, day);
  if (Number.isNaN(dayStart)) return null;
  const time = dayStart + ((hour * 60 + minute - offset) * 60 + second) * 1000;
  return { time, day: Math.floor(dayStart / MS_PER_DAY) };
}

/** RFC 5322 §4.3: two-digit years below 50 are 20xx, others 19xx; three digits add 1900. */
function fullYear(text: string): number {
  const year = Number(text);
  if (text.length === 2) return year < 50 ? 2000 + year : 1900 + year;
  if (text.length === 3) return 1900 + year;
  return year;
}

function zoneOffset(zone: string | undefined): number {
  if (!zone) return 0;
  if (zone.startsWith('+') || zone.startsWith('-')) {
    const minutes = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5));
    return zone.startsWith('-') ? -minutes : minutes;
  }
  return ZONES[zone.toLowerCase()] ?? 0;
}

/** Anything else a mailer wrote (ISO 8601, say): the runtime's parser, the day taken in UTC. */
function parseLoosely(value: string): SentDate | null {
  if (!/\d{4}/.test(value)) return null;
  const time = Date.parse(value);
  if (Number.isNaN(time)) return null;
  return { time, day: Math.floor(time / MS_PER_DAY) };
}

/** "YYYY-MM-DD" (the AST's search date) as days since 1970-01-01; null when it is no date. */
export function dayNumber(date: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]) - 1;
  const day = Number(match[3]);
  const time = Date.UTC(year, month, day);
  const check = new Date(time);
  if (check.getUTCMonth() !== month || check.getUTCDate() !== day) return null;
  return time / MS_PER_DAY;
}

/** The day an instant falls on in a zone offset (minutes east of UTC). */
export function dayInZone(time: number, offsetMinutes: number): number {
  return Math.floor((time + offsetMinutes * 60_000) / MS_PER_DAY);
}

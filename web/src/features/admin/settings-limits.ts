import { LIMIT_RANGES, type LimitName } from '../../../../src/protocol/limits.ts';

/**
 * The limits of the Settings screen as the console takes them: sizes typed
 * in MB or GB (powers of 1024, as coo.toml means "25M"), counts as whole
 * numbers; checked here against the ranges the server takes, so a mistake is
 * told before anything is sent.
 */

export const SIZE_UNITS = { MB: 1024 ** 2, GB: 1024 ** 3 } as const;
export type SizeUnit = keyof typeof SIZE_UNITS;

/** Up to 3 decimals ("1.5", "0.25"); no sign, no exponent. */
const AMOUNT = /^\d{1,7}(?:\.\d{1,3})?$/;

/** A size as the form shows it: GB when it is a round number of them, else MB. */
export function sizeToForm(bytes: number): { amount: string; unit: SizeUnit } {
  const unit: SizeUnit = bytes >= SIZE_UNITS.GB && isRound(bytes / SIZE_UNITS.GB) ? 'GB' : 'MB';
  return { amount: trimDecimals(bytes / SIZE_UNITS[unit]), unit };
}

/** Bytes of what was typed; undefined when it is not a number. */
export function sizeFromForm(amount: string, unit: SizeUnit): number | undefined {
  const text = amount.trim();
  if (!AMOUNT.test(text)) return undefined;
  return Math.round(Number(text) * SIZE_UNITS[unit]);
}

/** A count typed as digits; undefined otherwise ("", "1.5", "-1"). */
export function countFromForm(text: string): number | undefined {
  const trimmed = text.trim();
  return /^\d{1,9}$/.test(trimmed) ? Number(trimmed) : undefined;
}

/** Whether the value is one the server takes for this limit. */
export function withinRange(name: LimitName, value: number | undefined): value is number {
  const range = LIMIT_RANGES[name];
  return value !== undefined && Number.isSafeInteger(value) && value >= range.min && value <= range.max;
}

/** "1 MB", "1024 GB": a size for a message, in the form's own units. */
export function formatFormSize(bytes: number): string {
  const { amount, unit } = sizeToForm(bytes);
  return `${amount} ${unit}`;
}

function isRound(value: number): boolean {
  return Math.abs(value * 100 - Math.round(value * 100)) < 1e-9;
}

function trimDecimals(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

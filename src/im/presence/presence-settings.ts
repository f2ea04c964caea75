import type { Executor } from '../../store/database.ts';
import { getSetting } from '../../store/settings.ts';
import { PRESENCE_DEFAULTS } from './presence-service.ts';

/** The admin setting: idle minutes before a device turns away; 0 turns auto-away off. */
export const AUTO_AWAY_SETTING = 'im.auto_away_minutes';
const MAX_AUTO_AWAY_MINUTES = 24 * 60;

/**
 * Reads `im.auto_away_minutes`. A value that is not a whole number of
 * minutes from 0 to a day is ignored for the default, and reported, rather
 * than stopping the messenger from starting.
 */
export async function readAutoAwayMinutes(
  db: Executor,
  onInvalid: (value: unknown) => void = () => undefined,
): Promise<number> {
  const value = await getSetting<unknown>(db, AUTO_AWAY_SETTING);
  if (value === undefined) return PRESENCE_DEFAULTS.autoAwayMinutes;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_AUTO_AWAY_MINUTES) {
    return value;
  }
  onInvalid(value);
  return PRESENCE_DEFAULTS.autoAwayMinutes;
}

/**
 * Follows the setting while the server runs, so an admin's change applies
 * within a minute on every node without a restart. Returns the stop function.
 */
export function followAutoAwaySetting(
  db: Executor,
  apply: (minutes: number) => void,
  onError: (error: unknown) => void,
  everyMs = 60_000,
): () => void {
  const timer = setInterval(() => {
    readAutoAwayMinutes(db).then(apply, onError);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

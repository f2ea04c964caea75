import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout, one per event; level from [log] in the config. */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stdout): Logger {
  return pino({ level, base: { app: 'coo' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

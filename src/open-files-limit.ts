import { readFile } from 'node:fs/promises';

/**
 * Every client connection (a messenger WebSocket, an IMAP or POP3 session,
 * an SMTP transaction) holds one open file. A limit left at a distribution's
 * default (1024) stops the server at about a thousand connections, however
 * fast it is: at start it says so, with what to change.
 */
export interface OpenFilesLimit {
  soft: number;
  hard: number;
}

/** Below this soft limit the start-up log warns. */
export const LOW_OPEN_FILES_LIMIT = 16_384;

/** The limit from the text of /proc/self/limits; undefined when it is not there. "unlimited" is Infinity. */
export function parseOpenFilesLimit(limits: string): OpenFilesLimit | undefined {
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
  if (!match) return undefined;
  const value = (text: string | undefined) => (text === 'unlimited' ? Infinity : Number(text));
  const soft = value(match[1]);
  const hard = value(match[2]);
  return Number.isNaN(soft) || Number.isNaN(hard) ? undefined : { soft, hard };
}

/** This process's limit (Linux); undefined elsewhere. */
export async function openFilesLimit(): Promise<OpenFilesLimit | undefined> {
  const text = await readFile('/proc/self/limits', 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseOpenFilesLimit(text);
}

/** The warning to log for this limit, or undefined when it is high enough. */
export function openFilesWarning(limit: OpenFilesLimit | undefined): string | undefined {
  if (!limit || limit.soft >= LOW_OPEN_FILES_LIMIT) return undefined;
  return (
    `the limit of open files is ${limit.soft} (hard ${limit.hard}): each client connection takes one, ` +
    `so about ${Math.max(0, limit.soft - 100)} clients can connect at once; ` +
    'raise it (systemd: LimitNOFILE=65536; a shell: ulimit -n)'
  );
}

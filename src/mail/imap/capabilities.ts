import type { CommandSession } from './commands/command.ts';

/**
 * The capabilities offered (RFC 9051 §6.1.1), in the greeting, after login
 * and to CAPABILITY. Before TLS, LOGIN is disabled and STARTTLS offered
 * (RFC 9051 §6.2.3); after login, the extensions that need a user.
 */
const ALWAYS = ['IMAP4rev1', 'IMAP4rev2', 'LITERAL+', 'ID', 'ENABLE', 'IDLE', 'SASL-IR', 'NAMESPACE'];

const AFTER_LOGIN = [
  'UIDPLUS',
  'MOVE',
  'UNSELECT',
  'CHILDREN',
  'SPECIAL-USE',
  'CREATE-SPECIAL-USE',
  'LIST-EXTENDED',
  'LIST-STATUS',
  'STATUS=SIZE',
  'CONDSTORE',
  'QRESYNC',
  'QUOTA',
  'QUOTA=RES-STORAGE',
  'ESEARCH',
  'SEARCHRES',
  'WITHIN',
  'SORT',
  'THREAD=REFERENCES',
  'THREAD=ORDEREDSUBJECT',
  'UTF8=ACCEPT',
  'BINARY',
];

export function capabilityLine(session: CommandSession): string {
  const words = [...ALWAYS];
  if (session.state.kind === 'not-authenticated') {
    if (!session.secure) words.push('STARTTLS');
    if (session.plaintextLoginAllowed) words.push('AUTH=PLAIN');
    else words.push('LOGINDISABLED');
  } else {
    words.push(...AFTER_LOGIN, `APPENDLIMIT=${session.appendLimit}`);
  }
  return words.join(' ');
}

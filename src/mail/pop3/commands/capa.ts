import { Pop3Reply } from '../replies.ts';
import type { CommandSession, Pop3Command } from './command.ts';

/**
 * RFC 2449 §5 CAPA, valid in every state. USER and SASL are listed only
 * where a password may be sent (RFC 2595 §2.1: not in plaintext), STLS
 * only before TLS and before login (RFC 2595 §4).
 */
export const capaCommand: Pop3Command = {
  keyword: 'CAPA',
  state: 'any',
  async run(session, state) {
    const lines = capabilities(session, state.kind === 'authorization');
    await session.send([Buffer.from([Pop3Reply.capabilities, ...lines, '.', ''].join('\r\n'), 'latin1')]);
  },
};

export function capabilities(
  session: Pick<CommandSession, 'secure' | 'plaintextLoginAllowed'>,
  beforeLogin: boolean,
): string[] {
  const lines = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'EXPIRE NEVER'];
  // RFC 2449 §6.2/§6.3: also after login, so a client sees the same list in both states.
  if (session.plaintextLoginAllowed) lines.push('USER', 'SASL PLAIN');
  if (!session.secure && beforeLogin) lines.push('STLS');
  lines.push('IMPLEMENTATION Coo');
  return lines;
}

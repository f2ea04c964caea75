import { Pop3Error, Pop3ErrorCode } from '../replies.ts';
import type { Pop3Command } from './command.ts';

/** RFC 2595 §4 STLS: only in the AUTHORIZATION state, only once. */
export const stlsCommand: Pop3Command = {
  keyword: 'STLS',
  state: 'authorization',
  async run(session, _state, command) {
    if (command.args.length > 0) throw new Pop3Error(Pop3ErrorCode.SYNTAX, 'STLS takes no arguments');
    if (session.secure) throw new Pop3Error(Pop3ErrorCode.TLS_ACTIVE, 'TLS is already active');
    await session.startTls();
  },
};

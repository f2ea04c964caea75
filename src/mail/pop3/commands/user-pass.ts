import { Pop3Error, Pop3ErrorCode, Pop3Reply } from '../replies.ts';
import type { Pop3Command } from './command.ts';
import { logIn, requirePlaintextAllowed } from './login.ts';

/** RFC 1939 §7 USER name: always +OK, so the answer tells nobody whether the name exists. */
export const userCommand: Pop3Command = {
  keyword: 'USER',
  state: 'authorization',
  async run(session, state, command) {
    requirePlaintextAllowed(session);
    const name = command.rest.trim();
    if (name === '') throw new Pop3Error(Pop3ErrorCode.SYNTAX, 'USER needs a name: USER name@domain');
    state.user = name;
    await session.reply(Pop3Reply.userAccepted);
  },
};

/**
 * RFC 1939 §7 PASS string: the rest of the line is the password, spaces and
 * all. A failed PASS leaves the AUTHORIZATION state and forgets the USER.
 */
export const passCommand: Pop3Command = {
  keyword: 'PASS',
  state: 'authorization',
  async run(session, state, command) {
    requirePlaintextAllowed(session);
    const user = state.user;
    if (user === undefined) throw new Pop3Error(Pop3ErrorCode.SYNTAX, 'send USER name first');
    state.user = undefined;
    await logIn(session, user, command.rest);
  },
};

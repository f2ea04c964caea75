import { Pop3Error, Pop3ErrorCode } from '../replies.ts';
import type { Pop3Command } from './command.ts';

/** RFC 1939 §5 DELE msg: only marks the message; it is removed at QUIT (§6). */
export const deleCommand: Pop3Command = {
  keyword: 'DELE',
  state: 'transaction',
  async run(session, state, command) {
    if (command.args.length !== 1) throw new Pop3Error(Pop3ErrorCode.SYNTAX, 'DELE needs one message number');
    const message = state.maildrop.get(command.args[0]);
    message.deleted = true;
    await session.reply(`+OK message ${message.number} deleted`);
  },
};

/** RFC 1939 §5 RSET: unmarks every message marked deleted. */
export const rsetCommand: Pop3Command = {
  keyword: 'RSET',
  state: 'transaction',
  async run(session, state, command) {
    if (command.args.length > 0) throw new Pop3Error(Pop3ErrorCode.SYNTAX, 'RSET takes no arguments');
    state.maildrop.reset();
    const { count, octets } = state.maildrop.stat();
    await session.reply(`+OK maildrop has ${count} message${count === 1 ? '' : 's'} (${octets} octets)`);
  },
};

/** RFC 1939 §5 NOOP. */
export const noopCommand: Pop3Command = {
  keyword: 'NOOP',
  state: 'transaction',
  async run(session, _state, command) {
    if (command.args.length > 0) throw new Pop3Error(Pop3ErrorCode.SYNTAX, 'NOOP takes no arguments');
    await session.reply('+OK');
  },
};

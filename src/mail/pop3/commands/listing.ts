import { Pop3Error, Pop3ErrorCode } from '../replies.ts';
import type { Maildrop, MaildropMessage } from '../maildrop.ts';
import type { CommandSession, Pop3Command } from './command.ts';

/** RFC 1939 §5 STAT: "+OK count octets", deleted messages left out. */
export const statCommand: Pop3Command = {
  keyword: 'STAT',
  state: 'transaction',
  async run(session, state, command) {
    if (command.args.length > 0) throw new Pop3Error(Pop3ErrorCode.SYNTAX, 'STAT takes no arguments');
    const { count, octets } = state.maildrop.stat();
    await session.reply(`+OK ${count} ${octets}`);
  },
};

/** RFC 1939 §5 LIST [msg]: each message's exact size in octets, as stored. */
export const listCommand: Pop3Command = {
  keyword: 'LIST',
  state: 'transaction',
  async run(session, state, command) {
    await listing(
      session,
      state.maildrop,
      command.args,
      (message) => String(message.size),
      (drop) => {
        const { count, octets } = drop.stat();
        return `+OK ${count} message${count === 1 ? '' : 's'} (${octets} octets)`;
      },
    );
  },
};

/** RFC 1939 §7 UIDL [msg]: the unique-id that stays the same in every session. */
export const uidlCommand: Pop3Command = {
  keyword: 'UIDL',
  state: 'transaction',
  async run(session, state, command) {
    const drop = state.maildrop;
    await listing(
      session,
      drop,
      command.args,
      (message) => drop.uniqueId(message),
      () => '+OK unique-ids follow',
    );
  },
};

/** One message on the "+OK" line, or all messages not deleted as a multi-line reply. */
async function listing(
  session: CommandSession,
  drop: Maildrop,
  args: readonly string[],
  value: (message: MaildropMessage) => string,
  heading: (drop: Maildrop) => string,
): Promise<void> {
  if (args.length > 1) throw new Pop3Error(Pop3ErrorCode.SYNTAX, 'expected at most one message number');
  if (args.length === 1) {
    const message = drop.get(args[0]);
    await session.reply(`+OK ${message.number} ${value(message)}`);
    return;
  }
  // Lines start with a digit: no dot-stuffing needed.
  const lines = [
    heading(drop),
    ...drop.visible().map((message) => `${message.number} ${value(message)}`),
    '.',
    '',
  ];
  await session.send([Buffer.from(lines.join('\r\n'), 'latin1')]);
}

import { parseCommand, Pop3Limits, type ParsedLine } from '../parser.ts';
import { Pop3Error, Pop3ErrorCode } from '../replies.ts';
import { quote } from '../maildrop.ts';
import type { SessionKind } from '../state.ts';
import { authCommand } from './auth-plain.ts';
import { capaCommand } from './capa.ts';
import type { CommandSession, Pop3Command } from './command.ts';
import { listCommand, statCommand, uidlCommand } from './listing.ts';
import { deleCommand, noopCommand, rsetCommand } from './marks.ts';
import { quitCommand } from './quit.ts';
import { retrCommand, topCommand } from './retrieve.ts';
import { stlsCommand } from './stls.ts';
import { passCommand, userCommand } from './user-pass.ts';

/** Every command this server knows, by keyword (RFC 1939, 2449, 2595, 5034). */
export const COMMANDS: ReadonlyMap<string, Pop3Command> = new Map(
  [
    capaCommand,
    stlsCommand,
    userCommand,
    passCommand,
    authCommand,
    statCommand,
    listCommand,
    uidlCommand,
    retrCommand,
    topCommand,
    deleCommand,
    noopCommand,
    rsetCommand,
    quitCommand,
  ].map((command) => [command.keyword, command]),
);

const STATE_NAMES: Record<SessionKind, string> = {
  authorization: 'before login (AUTHORIZATION state)',
  transaction: 'after login (TRANSACTION state)',
  update: 'after QUIT (UPDATE state)',
};

/**
 * The abuse guards, in order — a line that is not text, a line too long, no
 * keyword, an unknown keyword, the wrong state — then the command. Errors
 * are thrown as Pop3Error; the session writes them.
 */
export async function dispatch(session: CommandSession, line: ParsedLine): Promise<void> {
  if (line.kind === 'binary') {
    throw new Pop3Error(
      Pop3ErrorCode.NOT_TEXT,
      'commands must be text: NUL, control characters or non-UTF-8 bytes received',
    );
  }
  if (line.kind === 'too-long') {
    throw new Pop3Error(
      Pop3ErrorCode.LINE_TOO_LONG,
      `line too long: at most ${Pop3Limits.commandLine} octets`,
    );
  }
  const command = parseCommand(line.text);
  if (!command) throw new Pop3Error(Pop3ErrorCode.SYNTAX, 'expected a command such as "CAPA" or "USER name"');
  // RFC 2449 §4; AUTH's initial response may run longer (RFC 5034 §4), up to the SASL line limit.
  if (line.octets > Pop3Limits.commandLine && command.keyword !== 'AUTH') {
    throw new Pop3Error(
      Pop3ErrorCode.LINE_TOO_LONG,
      `line too long: at most ${Pop3Limits.commandLine} octets`,
    );
  }
  const spec = COMMANDS.get(command.keyword);
  if (!spec) throw new Pop3Error(Pop3ErrorCode.UNKNOWN_COMMAND, `unknown command ${quote(command.keyword)}`);
  const state = session.state;
  switch (spec.state) {
    case 'any':
      return spec.run(session, state, command);
    case 'authorization':
      if (state.kind !== 'authorization') throw wrongState(spec.keyword, state.kind);
      return spec.run(session, state, command);
    case 'transaction':
      if (state.kind !== 'transaction') throw wrongState(spec.keyword, state.kind);
      return spec.run(session, state, command);
    default: {
      const never: never = spec;
      throw new Error(`unexpected command spec ${String(never)}`);
    }
  }
}

function wrongState(keyword: string, kind: SessionKind): Pop3Error {
  return new Pop3Error(Pop3ErrorCode.WRONG_STATE, `${keyword} is not valid ${STATE_NAMES[kind]}`);
}

import type { ReaderEvent, CommandFrame } from '../protocol/command-reader.ts';
import { parseCommand } from '../protocol/command-parser.ts';
import type { Command, TaggedCommand } from '../protocol/ast.ts';
import { ImapError, ImapErrorId } from '../imap-error.ts';
import { ConnectionClosedError } from '../session.ts';
import type { SessionState } from '../state.ts';
import type { CommandSession, ImapCommand, RegisteredCommand } from './command.ts';
import { COMMANDS } from './index.ts';

type Input = { kind: 'frame'; frame: CommandFrame } | Extract<ReaderEvent, { kind: 'refuse' }>;

const BY_NAME = new Map<string, RegisteredCommand>();
for (const definition of COMMANDS) for (const name of definition.names) BY_NAME.set(name, definition);

/**
 * RFC 9051 §7.5.1: no EXPUNGE while answering FETCH, STORE or SEARCH by
 * sequence number (the client's numbers would shift under it); the UID
 * forms and other commands may carry them.
 */
const NO_EXPUNGE = new Set<Command['name']>(['FETCH', 'STORE', 'SEARCH', 'SORT', 'THREAD']);

/** Runs one input: parses it, checks the state once, runs the handler, writes the tagged answer. */
export async function dispatch(session: CommandSession, input: Input): Promise<void> {
  if (input.kind === 'refuse') {
    await writeStatus(session, input.tag ?? '*', input.status, input.message, input.code);
    if (input.fatal) {
      await session.untagged('BYE the command could not be read; closing');
      session.end();
    }
    return;
  }
  const parsed = parseCommand(input.frame, { utf8: session.enabled.utf8 });
  if ('status' in parsed) {
    await writeStatus(session, parsed.tag ?? '*', parsed.status, parsed.message, parsed.code);
    if (parsed.status === 'BAD') await countBad(session);
    return;
  }
  await run(session, parsed);
}

async function run(session: CommandSession, { tag, command }: TaggedCommand): Promise<void> {
  const definition = BY_NAME.get(command.name);
  try {
    if (!definition) throw new ImapError('BAD', ImapErrorId.SYNTAX, `unknown command ${command.name}`);
    checkState(definition.state, session.state, command.name);
    const completion = await (
      definition.run as (
        s: CommandSession,
        state: SessionState,
        c: Command,
        tag: string,
      ) => Promise<string | undefined>
    )(session, session.state, command, tag);
    if (command.name !== 'LOGOUT' && command.name !== 'STARTTLS') {
      await session.syncSelected(!NO_EXPUNGE.has(command.name) || ('uid' in command && command.uid));
    }
    session.badCommands = 0;
    if (command.name === 'STARTTLS') return;
    await writeStatus(session, tag, 'OK', completion ?? `${command.name} completed`);
  } catch (error) {
    if (error instanceof ConnectionClosedError) throw error;
    if (error instanceof ImapError) {
      await writeStatus(session, tag, error.status, error.message, error.code);
      if (error.status === 'BAD') await countBad(session);
      return;
    }
    session.log.error({ err: error, command: command.name }, 'imap: command failed');
    await writeStatus(session, tag, 'NO', 'the server failed to do that; try again later', 'SERVERBUG');
  }
}

function checkState(wanted: ImapCommand['state'], state: SessionState, name: string): void {
  const ok =
    wanted === 'any' ||
    (wanted === 'not-authenticated' && state.kind === 'not-authenticated') ||
    (wanted === 'authenticated' && (state.kind === 'authenticated' || state.kind === 'selected')) ||
    (wanted === 'selected' && state.kind === 'selected');
  if (ok) return;
  const why =
    state.kind === 'not-authenticated'
      ? 'log in first'
      : wanted === 'selected'
        ? 'select a mailbox first'
        : 'already logged in';
  throw new ImapError('BAD', ImapErrorId.WRONG_STATE, `${name} is not valid now: ${why}`);
}

async function countBad(session: CommandSession): Promise<void> {
  session.badCommands++;
  if (session.badCommands >= session.deps.tuning.maxBadCommands) {
    await session.untagged('BYE too many bad commands; closing');
    session.end();
  }
}

async function writeStatus(
  session: CommandSession,
  tag: string,
  status: 'OK' | 'NO' | 'BAD',
  text: string,
  code?: string,
): Promise<void> {
  const line = `${tag} ${status} ${code ? `[${code}] ` : ''}${text.replace(/[\r\n]+/g, ' ')}\r\n`;
  await session.send([Buffer.from(line, 'utf8')]);
}

import type { Logger } from '../../../log.ts';
import type { Command } from '../protocol/ast.ts';
import type { CommandFrame } from '../protocol/command-reader.ts';
import type { ImapDeps } from '../session-deps.ts';
import type {
  AuthenticatedState,
  Enabled,
  NotAuthenticatedState,
  SelectedState,
  SessionState,
} from '../state.ts';

/** What a command handler may do with its session. */
export interface CommandSession {
  state: SessionState;
  readonly enabled: Enabled;
  readonly deps: ImapDeps;
  log: Logger;
  readonly remote: string;
  readonly secure: boolean;
  /** RFC 9051 §6.2.3: LOGIN only over TLS, unless [imap] allows it on loopback. */
  readonly plaintextLoginAllowed: boolean;
  /** Failed logins on this connection so far. */
  authFailures: number;
  /** Malformed or unknown commands in a row. */
  badCommands: number;
  /** RFC 5182 SEARCHRES: the UIDs of the last SEARCH … RETURN (SAVE). */
  savedUids: number[];
  /** RFC 7889 APPENDLIMIT in force for this session (the setting as it was at login). */
  readonly appendLimit: number;
  /** The client's ID (RFC 2971), for logs. */
  clientId?: string;
  /** Writes one untagged line ("* " and CRLF added). */
  untagged(line: string): Promise<void>;
  /** Writes bytes as they are, waiting while the client is slow (back-pressure). */
  send(chunks: Buffer[]): Promise<void>;
  /** "+ text": a continuation request (AUTHENTICATE, IDLE). */
  continuation(text: string): Promise<void>;
  /** The next input (a SASL response, IDLE's DONE); undefined when the connection ended. */
  nextFrame(): Promise<CommandFrame | undefined>;
  /** True when input (or the end of the connection) is waiting to be taken. */
  hasInput(): boolean;
  /** Resolves when the next input arrives, without taking it (IDLE waits on it). */
  inputPending(): Promise<void>;
  /** STARTTLS: answers OK and runs the TLS handshake (RFC 9051 §6.2.1). */
  startTls(tag: string): Promise<void>;
  /** Writes the pending changes of the selected mailbox (EXISTS, FETCH, EXPUNGE/VANISHED). */
  syncSelected(allowExpunge: boolean): Promise<void>;
  /** The inactivity timer: shorter before login, RFC 9051 §5.4's 30 minutes after. */
  setIdleTimeout(ms: number): void;
  /** The reader's APPENDLIMIT follows the user's (after login). */
  setAppendLimit(bytes: number): void;
  /** Stops watching the selected mailbox's changes (set by SELECT). */
  unwatch: (() => void) | undefined;
  /** Ends the session once the current reply is written. */
  end(): void;
}

/** What a handler returns: the text of the tagged OK (a response code first, if any). */
export type Completion = string | undefined;

type Run<S, C> = (session: CommandSession, state: S, command: C, tag: string) => Promise<Completion>;

type Named<N extends Command['name']> = Extract<Command, { name: N }>;

/** A command and the states it is valid in; the dispatcher checks the state once. */
export type ImapCommand<N extends Command['name'] = Command['name']> =
  | { names: readonly N[]; state: 'not-authenticated'; run: Run<NotAuthenticatedState, Named<N>> }
  | { names: readonly N[]; state: 'authenticated'; run: Run<AuthenticatedState | SelectedState, Named<N>> }
  | { names: readonly N[]; state: 'selected'; run: Run<SelectedState, Named<N>> }
  | { names: readonly N[]; state: 'any'; run: Run<SessionState, Named<N>> };

/** Any command, as the registry holds them (the dispatcher calls run with the state it checked). */
export interface RegisteredCommand {
  names: readonly Command['name'][];
  state: ImapCommand['state'];
  run: (session: CommandSession, state: never, command: never, tag: string) => Promise<Completion>;
}

/** Declares a command with its handler typed by the names it serves. */
export function command<N extends Command['name']>(definition: ImapCommand<N>): ImapCommand<N> {
  return definition;
}

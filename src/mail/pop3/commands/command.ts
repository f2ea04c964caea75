import type { Logger } from '../../../log.ts';
import type { ParsedLine, Command } from '../parser.ts';
import type { SessionDeps } from '../session-deps.ts';
import type { AuthorizationState, SessionState, TransactionState } from '../state.ts';

/** What a command handler may do with its session. */
export interface CommandSession {
  state: SessionState;
  readonly deps: SessionDeps;
  readonly log: Logger;
  readonly remote: string;
  readonly secure: boolean;
  /** RFC 2595 §2.1: passwords only over TLS, unless allowed on loopback by [pop3]. */
  readonly plaintextLoginAllowed: boolean;
  /** Failed logins on this connection so far. */
  authFailures: number;
  /** Writes one reply line (CRLF added). */
  reply(line: string): Promise<void>;
  /** Writes bytes as they are, waiting while the client is slow (back-pressure). */
  send(chunks: Buffer[]): Promise<void>;
  /** The next input line, for a SASL exchange; undefined when the connection ended. */
  nextLine(): Promise<ParsedLine | undefined>;
  /** STLS: answers +OK and runs the TLS handshake (RFC 2595 §4). */
  startTls(): Promise<void>;
  /** Ends the session once the current reply is written. */
  end(): void;
}

type Run<S> = (session: CommandSession, state: S, command: Command) => Promise<void>;

/** A command and the states it is valid in; the dispatcher checks the state once. */
export type Pop3Command =
  | { keyword: string; state: 'authorization'; run: Run<AuthorizationState> }
  | { keyword: string; state: 'transaction'; run: Run<TransactionState> }
  | { keyword: string; state: 'any'; run: Run<SessionState> };

import type { z } from 'zod';
import { isCooError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { ImCloseCode } from '../../protocol/im/connection.ts';
import type { ErrorFrame } from '../../protocol/im/frames.ts';
import type { FrameHandler } from '../types.ts';
import type { ConnectionState, GatewayConnection } from './connection.ts';
import type { ConnectionRegistry } from './connection-registry.ts';
import { parseFrame, type Envelope } from './frame-parser.ts';
import type { GatewayOptions } from './gateway-options.ts';
import type { SessionGate } from './session-gate.ts';

/** Frame types the gateway answers itself, whatever the areas register. */
const BUILT_IN = new Set(['hello', 'ping', 'bye']);

/**
 * Turns one text frame into a call and its answer. The checks run once,
 * here, in order: envelope, login state, type, schema; then the handler.
 * A bad frame is answered with IM_BAD_FRAME and the connection lives; a
 * CooError becomes an error frame with its code; anything else is a bug,
 * logged with context and answered INTERNAL.
 */
export class FrameDispatcher {
  readonly #handlers = new Map<string, FrameHandler>();
  readonly #gate: SessionGate;
  readonly #registry: ConnectionRegistry;
  readonly #options: GatewayOptions;
  readonly #logger: Logger;
  /** Told once a hello succeeded and was answered. */
  readonly #onOpened: (connection: GatewayConnection) => void;

  constructor(deps: {
    handlers: readonly FrameHandler[];
    gate: SessionGate;
    registry: ConnectionRegistry;
    options: GatewayOptions;
    logger: Logger;
    onOpened: (connection: GatewayConnection) => void;
  }) {
    for (const handler of deps.handlers) {
      if (BUILT_IN.has(handler.type) || this.#handlers.has(handler.type)) {
        throw new Error(`two handlers for the frame type "${handler.type}"`);
      }
      this.#handlers.set(handler.type, handler);
    }
    this.#gate = deps.gate;
    this.#registry = deps.registry;
    this.#options = deps.options;
    this.#logger = deps.logger;
    this.#onOpened = deps.onOpened;
  }

  async dispatch(connection: GatewayConnection, text: string): Promise<void> {
    const parsed = parseFrame(text);
    if (!parsed.ok) {
      sendError(connection, parsed.re, ErrorCode.IM_BAD_FRAME, parsed.problem);
      return;
    }
    const { envelope } = parsed;
    switch (connection.state.kind) {
      case 'closed':
        return;
      case 'authenticating':
        // Frames are handled one at a time, so none arrives while a hello runs.
        throw new Error('a frame was dispatched during a hello');
      case 'awaiting-hello':
        if (envelope.t !== 'hello') {
          sendError(
            connection,
            envelope.id,
            ErrorCode.IM_NOT_AUTHENTICATED,
            `the first frame must be "hello", not "${envelope.t}"`,
          );
          connection.close(ImCloseCode.POLICY, 'the first frame must be hello', 'not-authenticated');
          return;
        }
        await this.#hello(connection, envelope);
        return;
      case 'open':
        await this.#request(connection, envelope);
        return;
      default:
        connection.state satisfies never;
    }
  }

  async #hello(connection: GatewayConnection, envelope: Envelope): Promise<void> {
    const failedHellos = connection.state.kind === 'awaiting-hello' ? connection.state.failedHellos : 0;
    const refuse = (code: ErrorCode, message: string) => {
      if (connection.state.kind === 'closed') return;
      connection.state = { kind: 'awaiting-hello', failedHellos: failedHellos + 1 };
      sendError(connection, envelope.id, code, message);
      if (failedHellos + 1 >= this.#options.maxFailedHellos) {
        connection.close(ImCloseCode.POLICY, 'too many failed hellos', 'not-authenticated');
      }
    };
    const checked = this.#gate.helloSchema.safeParse(envelope.body);
    if (!checked.success) {
      refuse(ErrorCode.IM_BAD_FRAME, describeSchemaError('hello', checked.error));
      return;
    }
    connection.state = { kind: 'authenticating' };
    let result: Awaited<ReturnType<SessionGate['hello']>>;
    try {
      result = await this.#gate.hello(checked.data, {
        connectionId: connection.id,
        remote: connection.remote,
      });
    } catch (error) {
      if (isCooError(error)) refuse(error.code, error.message);
      else {
        this.#logger.error(
          { err: error, connection: connection.id, remote: connection.remote },
          'im: hello failed',
        );
        refuse(ErrorCode.INTERNAL, 'internal error; the server logged it');
      }
      return;
    }
    // The socket may have closed while the password was checked (its close
    // handling waits for this frame): then the session ends here, unopened.
    if (connection.isClosed || stateOf(connection).kind === 'closed') {
      // The socket went away while the password was checked: end the session at once.
      connection.state = { kind: 'closed', session: result.session };
      await this.#gate.ended(connection, connection.endReason ?? 'connection-lost');
      return;
    }
    connection.state = { kind: 'open', session: result.session };
    connection.loggedInAt = Date.now();
    this.#registry.add(connection);
    if (envelope.id !== undefined) connection.send({ t: 'ok', re: envelope.id, data: result.data });
    this.#onOpened(connection);
  }

  async #request(connection: GatewayConnection, envelope: Envelope): Promise<void> {
    const { t, id } = envelope;
    if (t === 'ping') {
      connection.send({ t: 'pong' });
      return;
    }
    if (t === 'hello') {
      sendError(connection, id, ErrorCode.IM_BAD_FRAME, 'already logged in: "hello" is only the first frame');
      return;
    }
    if (t === 'bye') {
      if (id !== undefined) connection.send({ t: 'ok', re: id, data: {} });
      connection.close(ImCloseCode.NORMAL, 'bye', 'bye');
      return;
    }
    const handler = this.#handlers.get(t);
    if (!handler) {
      sendError(connection, id, ErrorCode.IM_BAD_FRAME, `unknown frame type "${t}"`);
      return;
    }
    const checked = handler.schema.safeParse(envelope.body);
    if (!checked.success) {
      sendError(connection, id, ErrorCode.IM_BAD_FRAME, describeSchemaError(t, checked.error));
      return;
    }
    try {
      const data = await handler.handle(connection, checked.data);
      if (id !== undefined) connection.send({ t: 'ok', re: id, data: data ?? {} });
    } catch (error) {
      if (isCooError(error)) {
        sendError(connection, id, error.code, error.message);
        return;
      }
      this.#logger.error(
        { err: error, frame: t, re: id, user: connection.session.address, connection: connection.id },
        'im: frame handler failed',
      );
      sendError(connection, id, ErrorCode.INTERNAL, 'internal error; the server logged it');
    }
  }
}

export function sendError(
  connection: GatewayConnection,
  re: number | undefined,
  code: ErrorCode,
  message: string,
): void {
  const frame: ErrorFrame = { t: 'error', code, message };
  if (re !== undefined) frame.re = re;
  connection.send(frame as unknown as Record<string, unknown> & { t: string });
}

/** The first problems of a failed schema check, naming the field: `message.text: expected string`. */
export function describeSchemaError(type: string, error: z.ZodError): string {
  const issues = error.issues.slice(0, 3).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join('.') : '(frame)';
    return `${where}: ${issue.message}`;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return `invalid "${type}" frame: ${issues.join('; ')}${more}`;
}

function stateOf(connection: GatewayConnection): ConnectionState {
  return connection.state;
}

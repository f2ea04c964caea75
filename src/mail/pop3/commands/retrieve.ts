import type { Readable } from 'node:stream';
import { isCooError } from '../../../errors.ts';
import { ErrorCode } from '../../../protocol/errors.ts';
import type { MaildropMessage } from '../maildrop.ts';
import { DotStuffer, TopLimiter } from '../message-stream.ts';
import { Pop3Error, Pop3ErrorCode } from '../replies.ts';
import { ConnectionClosedError } from '../session-errors.ts';
import type { CommandSession, Pop3Command } from './command.ts';

/** RFC 1939 §5 RETR msg: the whole message, exactly as stored, dot-stuffed. */
export const retrCommand: Pop3Command = {
  keyword: 'RETR',
  state: 'transaction',
  async run(session, state, command) {
    if (command.args.length !== 1) throw new Pop3Error(Pop3ErrorCode.SYNTAX, 'RETR needs one message number');
    const message = state.maildrop.get(command.args[0]);
    await sendMessage(session, message, `+OK ${message.size} octets`);
    message.retrieved = true;
  },
};

/** RFC 1939 §7 TOP msg n: the header, the blank line, and the first n lines of the body. */
export const topCommand: Pop3Command = {
  keyword: 'TOP',
  state: 'transaction',
  async run(session, state, command) {
    const [number, lines] = command.args;
    if (command.args.length !== 2 || lines === undefined || !/^\d{1,9}$/.test(lines)) {
      throw new Pop3Error(Pop3ErrorCode.SYNTAX, 'TOP needs a message number and a number of lines: TOP 1 10');
    }
    const message = state.maildrop.get(number);
    await sendMessage(session, message, '+OK top of message follows', new TopLimiter(Number(lines)));
  },
};

/**
 * Streams the message from the blob store to the client, one chunk at a
 * time, waiting whenever the client reads slower than the disk (socket
 * back-pressure), so a large message never sits whole in memory. A read
 * error after "+OK" cannot be told in the reply any more: the connection
 * is closed, so the client never takes a truncated message for a whole one.
 */
async function sendMessage(
  session: CommandSession,
  message: MaildropMessage,
  heading: string,
  limiter?: TopLimiter,
): Promise<void> {
  const source = await openBlob(session, message);
  const stuffer = new DotStuffer();
  let pending: Buffer[] = [Buffer.from(`${heading}\r\n`, 'latin1')];
  let octets = 0;
  let started = false;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      let piece = chunk;
      let done = false;
      if (limiter) ({ piece, done } = limiter.take(chunk));
      octets += piece.length;
      pending.push(...stuffer.push(piece));
      await session.send(pending);
      started = true;
      pending = [];
      if (done) break;
    }
  } catch (error) {
    if (error instanceof ConnectionClosedError) throw error;
    session.log.error({ err: error, blob: message.blobSha256 }, 'pop3: reading a message failed');
    if (!started)
      throw new Pop3Error(Pop3ErrorCode.MESSAGE_GONE, `message ${message.number} cannot be read now`);
    session.end();
    throw new ConnectionClosedError();
  } finally {
    source.destroy();
  }
  pending.push(stuffer.end());
  await session.send(pending);
  if (!limiter && octets !== message.size) {
    session.log.warn(
      { blob: message.blobSha256, stored: message.size, sent: octets },
      'pop3: message size differs from the stored size',
    );
  }
}

async function openBlob(session: CommandSession, message: MaildropMessage): Promise<Readable> {
  try {
    return await session.deps.blobs.get(message.blobSha256);
  } catch (error) {
    if (isCooError(error) && error.code === ErrorCode.NOT_FOUND) {
      session.log.error(
        { blob: message.blobSha256, uid: message.uid },
        'pop3: a message body is missing from the blob store',
      );
      throw new Pop3Error(Pop3ErrorCode.MESSAGE_GONE, `message ${message.number} cannot be read now`);
    }
    throw error;
  }
}

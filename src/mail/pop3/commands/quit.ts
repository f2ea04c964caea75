import { publishMailboxChanged } from '../../mailbox-events.ts';
import { Pop3Error, Pop3ErrorCode, Pop3Reply, RespCode } from '../replies.ts';
import { deleteUnusedBlobs } from '../maildrop.ts';
import { ConnectionClosedError } from '../session-errors.ts';
import type { Pop3Command } from './command.ts';

/**
 * RFC 1939 §4/§6 QUIT. Before login it just signs off. After login it
 * enters the UPDATE state: the messages marked deleted are removed (and
 * the ones retrieved marked \\Seen) in one transaction, then the lock is
 * released and the connection closed — also when that failed (-ERR, and
 * nothing changed).
 */
export const quitCommand: Pop3Command = {
  keyword: 'QUIT',
  state: 'any',
  async run(session, state, command) {
    if (command.args.length > 0) throw new Pop3Error(Pop3ErrorCode.SYNTAX, 'QUIT takes no arguments');
    session.end();
    if (state.kind !== 'transaction') {
      await session.reply(Pop3Reply.signingOff);
      return;
    }
    const update = { ...state, kind: 'update' as const };
    session.state = update;
    const { store } = session.deps.services;
    let removed: string[];
    try {
      removed = await update.maildrop.commit(store);
    } catch (error) {
      session.log.error({ err: error, user: update.address }, 'pop3: removing deleted messages failed');
      await update.lock.release();
      throw new Pop3Error(
        Pop3ErrorCode.UPDATE_FAILED,
        'some deleted messages not removed; try again',
        RespCode.sysTemp,
      );
    }
    await update.lock.release();
    await publishMailboxChanged(
      session.deps.bus,
      { userId: update.userId, mailboxId: update.maildrop.mailboxId },
      session.log,
    );
    const count = removed.length;
    if (count > 0) session.log.debug({ user: update.address, removed: count }, 'pop3: messages removed');
    await session
      .reply(`${Pop3Reply.signingOff} (${count} message${count === 1 ? '' : 's'} deleted)`)
      .catch((error: unknown) => {
        // The client may be gone: the bodies are still cleaned up below.
        if (!(error instanceof ConnectionClosedError)) throw error;
      });
    await deleteUnusedBlobs(store, session.deps.blobs, removed, session.log);
  },
};

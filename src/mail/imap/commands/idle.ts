import { ImapError, ImapErrorId } from '../imap-error.ts';
import { frameText } from '../protocol/command-parser.ts';
import { ConnectionClosedError } from '../session.ts';
import { command } from './command.ts';

/**
 * RFC 2177 IDLE: changes of the selected mailbox are sent as they happen
 * (the change feed wakes the session; a slow poll catches anything a lost
 * event missed) until the client sends DONE.
 */
export const idleCommand = command({
  names: ['IDLE'],
  state: 'authenticated',
  async run(session) {
    const { tuning } = session.deps;
    await session.continuation('idling');
    session.setIdleTimeout(tuning.idleCommandTimeoutMs);
    try {
      for (;;) {
        await session.syncSelected(true);
        const state = session.state;
        let timer: NodeJS.Timeout | undefined;
        const poll = new Promise<void>((resolve) => (timer = setTimeout(resolve, tuning.idlePollMs)));
        const changed =
          state.kind === 'selected' ? state.mailbox.nextChange() : new Promise<void>(() => undefined);
        await Promise.race([session.inputPending(), changed, poll]);
        clearTimeout(timer);
        if (!session.hasInput()) continue;
        const frame = await session.nextFrame();
        if (!frame) throw new ConnectionClosedError();
        if (frameText(frame).trim().toUpperCase() === 'DONE') return 'IDLE terminated';
        throw new ImapError('BAD', ImapErrorId.SYNTAX, 'expected DONE to end IDLE');
      }
    } finally {
      session.setIdleTimeout(tuning.idleTimeoutMs);
    }
  },
});

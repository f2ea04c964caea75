import { command, type RegisteredCommand } from './command.ts';

/**
 * RFC 9051 §6.3.10 NAMESPACE (RFC 2342): one personal namespace with no
 * prefix and "/" between levels; no other users' or shared mailboxes.
 */
export const namespaceCommand = command({
  names: ['NAMESPACE'],
  state: 'authenticated',
  async run(session) {
    await session.untagged('NAMESPACE (("" "/")) NIL NIL');
    return undefined;
  },
});

export const namespaceCommands: readonly RegisteredCommand[] = [namespaceCommand];

import { appendCommand } from './append.ts';
import {
  capabilityCommand,
  enableCommand,
  idCommand,
  logoutCommand,
  noopCommand,
  starttlsCommand,
} from './basics.ts';
import type { RegisteredCommand } from './command.ts';
import { copyMoveCommand } from './copy-move.ts';
import { closeCommand, expungeCommand, uidExpungeCommand } from './expunge.ts';
import { fetchCommand } from './fetch.ts';
import { idleCommand } from './idle.ts';
import { listCommands } from './list.ts';
import { authenticateCommand, loginCommand } from './login.ts';
import { mailboxCommands } from './mailbox-admin.ts';
import { namespaceCommands } from './namespace.ts';
import { quotaCommands } from './quota.ts';
import { searchCommand, sortCommand, threadCommand } from './search.ts';
import { selectCommand, unselectCommand } from './select.ts';
import { statusCommands } from './status.ts';
import { storeCommand } from './store.ts';

/** Every command this server knows; the dispatcher finds them by name. */
export const COMMANDS: readonly RegisteredCommand[] = [
  capabilityCommand,
  noopCommand,
  logoutCommand,
  idCommand,
  enableCommand,
  starttlsCommand,
  loginCommand,
  authenticateCommand,
  selectCommand,
  unselectCommand,
  closeCommand,
  expungeCommand,
  uidExpungeCommand,
  fetchCommand,
  storeCommand,
  searchCommand,
  sortCommand,
  threadCommand,
  appendCommand,
  copyMoveCommand,
  idleCommand,
  ...mailboxCommands,
  ...listCommands,
  ...statusCommands,
  ...namespaceCommands,
  ...quotaCommands,
];

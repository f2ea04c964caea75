import type { ApiToken } from '../../auth/api-tokens.ts';
import { CLI_ACTOR } from '../../directory/types.ts';
import { formatValidityDate, parseValidityDate } from '../../directory/user-fields.ts';
import { dispatch, parseCommand, parseWholeNumber, positional, requireOption } from '../args.ts';
import type { Command } from '../command.ts';
import { formatTime, print, printTable } from '../output.ts';
import { withServices } from '../with-services.ts';

const usage = `Usage: coo token SUBCOMMAND [--data DIR] ...

Tokens for the REST admin API ("Authorization: Bearer TOKEN"). A token acts
as the administrator it was made for, and stops working when that account
does. It is shown once; only its hash is kept.

  token add NAME --admin ADDRESS [--expires DATE]
      DATE: YYYY-MM-DD (valid through the end of that day) or an ISO date-time.
  token list
  token revoke ID

--data DIR: the data dir (default ./data).`;

const TOPIC = 'token';

async function add(args: string[]): Promise<number> {
  const command = 'token add';
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command,
    args,
    options: { admin: { type: 'string' }, expires: { type: 'string' } },
    positionals: ['NAME'],
  });
  const admin = requireOption(TOPIC, command, 'admin', values.admin);
  const expiresAt = values.expires === undefined ? null : parseValidityDate('expires', values.expires, 'end');
  const created = await withServices(values.data, (services) =>
    services.tokens.create(positional(positionals, 0), admin, CLI_ACTOR, expiresAt),
  );
  const until = expiresAt === null ? 'no expiry' : `expires ${formatValidityDate(expiresAt, 'end')}`;
  print(`created token ${created.id} "${positional(positionals, 0).trim()}" acting as ${admin} (${until})`);
  print(`Token (shown once): ${created.token}`);
  return 0;
}

function tokenState(token: ApiToken, now: number): string {
  if (token.revoked) return 'revoked';
  if (token.expiresAt !== null && now > token.expiresAt) return 'expired';
  return 'active';
}

async function list(args: string[]): Promise<number> {
  const { values } = parseCommand({ topic: TOPIC, command: 'token list', args, options: {} });
  const tokens = await withServices(values.data, (services) => services.tokens.list());
  if (tokens.length === 0) {
    print('no API tokens; create one with: coo token add NAME --admin ADDRESS');
    return 0;
  }
  const now = Date.now();
  printTable(
    ['id', 'name', 'admin', 'state', 'created', 'expires', 'last used'],
    tokens.map((t) => [
      String(t.id),
      t.name,
      t.owner,
      tokenState(t, now),
      formatTime(t.createdAt),
      t.expiresAt === null ? '-' : formatValidityDate(t.expiresAt, 'end'),
      t.lastUsedAt === null ? 'never' : formatTime(t.lastUsedAt),
    ]),
    { alignRight: [0] },
  );
  return 0;
}

async function revoke(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'token revoke',
    args,
    options: {},
    positionals: ['ID'],
  });
  const id = parseWholeNumber('token ID', positional(positionals, 0), 1);
  await withServices(values.data, (services) => services.tokens.revoke(id, CLI_ACTOR));
  print(`revoked token ${id}`);
  return 0;
}

export const tokenCommand: Command = {
  usage,
  run: (args) => dispatch(TOPIC, args, { add, list, revoke }),
};

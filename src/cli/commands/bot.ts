import { CLI_ACTOR } from '../../directory/types.ts';
import type { Services } from '../../services.ts';
import { dispatch, parseCommand, positional } from '../args.ts';
import type { Command } from '../command.ts';
import { formatTime, print, printTable } from '../output.ts';
import { withServices } from '../with-services.ts';

const usage = `Usage: coo bot SUBCOMMAND [--data DIR] ...

Bots of the integration API: groupware, monitoring and other systems post
messages and memos with "Authorization: Bearer TOKEN" (docs/integration.md).
A bot sends as its own account, NAME@<default domain>, which has no password.
Its token is shown once; only its hash is kept.

  bot add NAME [--display-name NAME]
      NAME: 1 to 32 of a-z, 0-9 and "-". The display name is what people see
      as the sender (default: NAME).
  bot list
  bot remove NAME
      The token stops working at once and the account is disabled; its
      messages stay. "bot add NAME" again brings it back with a new token.

--data DIR: the data dir (default ./data).`;

const TOPIC = 'bot';

/** Loaded on use: `coo bot --help` need not load the messenger. */
async function botService(services: Services) {
  const { BotService } = await import('../../im/bots/bot-service.ts');
  return new BotService(services);
}

async function add(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'bot add',
    args,
    options: { 'display-name': { type: 'string' } },
    positionals: ['NAME'],
  });
  const created = await withServices(values.data, async (services) =>
    (await botService(services)).create(positional(positionals, 0), values['display-name'], CLI_ACTOR),
  );
  print(`created bot ${created.bot.name} ("${created.bot.displayName}"), sending as ${created.bot.address}`);
  print(`Token (shown once): ${created.token}`);
  return 0;
}

async function list(args: string[]): Promise<number> {
  const { values } = parseCommand({ topic: TOPIC, command: 'bot list', args, options: {} });
  const bots = await withServices(values.data, async (services) => (await botService(services)).list());
  if (bots.length === 0) {
    print('no bots; make one with: coo bot add NAME');
    return 0;
  }
  printTable(
    ['name', 'display name', 'address', 'created', 'by', 'last used'],
    bots.map((bot) => [
      bot.name,
      bot.displayName,
      bot.address,
      formatTime(bot.createdAt),
      bot.createdBy,
      bot.lastUsedAt === null ? 'never' : formatTime(bot.lastUsedAt),
    ]),
  );
  return 0;
}

async function remove(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'bot remove',
    args,
    options: {},
    positionals: ['NAME'],
  });
  const name = positional(positionals, 0);
  await withServices(values.data, async (services) => (await botService(services)).remove(name, CLI_ACTOR));
  print(`removed bot ${name.trim().toLowerCase()}: its token no longer works`);
  return 0;
}

export const botCommand: Command = {
  usage,
  run: (args) => dispatch(TOPIC, args, { add, list, remove }),
};

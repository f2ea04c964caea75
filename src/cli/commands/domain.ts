import { CLI_ACTOR } from '../../directory/types.ts';
import { dispatch, parseCommand, positional } from '../args.ts';
import type { Command } from '../command.ts';
import { print, printTable } from '../output.ts';
import { withServices } from '../with-services.ts';

const usage = `Usage: coo domain SUBCOMMAND [--data DIR] ...

Mail domains. Users live in a main domain; an alias domain reaches the same
users (bob@alias.example is bob@example.com). Logins without "@domain" use
the default domain.

  domain add DOMAIN [--alias-of DOMAIN] [--default]
      Adds a domain with its own DKIM key (an alias uses its main domain's).
  domain list
  domain remove DOMAIN
      Removes a domain that has no users.
  domain default DOMAIN
      Makes DOMAIN the default domain.

--data DIR: the data dir (default ./data).`;

const TOPIC = 'domain';

async function add(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'domain add',
    args,
    options: { 'alias-of': { type: 'string' }, default: { type: 'boolean' } },
    positionals: ['DOMAIN'],
  });
  const added = await withServices(values.data, (services) =>
    services.directory.domains.add(positional(positionals, 0), CLI_ACTOR, {
      aliasOf: values['alias-of'],
      makeDefault: values.default,
    }),
  );
  const what = values['alias-of'] ? `alias of ${values['alias-of'].toLowerCase()}` : 'with its DKIM key';
  print(`added domain ${added.name} (${what})`);
  return 0;
}

async function list(args: string[]): Promise<number> {
  const { values } = parseCommand({ topic: TOPIC, command: 'domain list', args, options: {} });
  const domains = await withServices(values.data, (services) => services.directory.domains.list());
  if (domains.length === 0) {
    print('no domains yet; add one with: coo domain add DOMAIN');
    return 0;
  }
  printTable(
    ['domain', 'default', 'alias of', 'dkim selector'],
    domains.map((d) => [d.name, d.isDefault ? 'yes' : 'no', d.aliasOf ?? '-', d.dkimSelector ?? '-']),
  );
  return 0;
}

async function remove(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'domain remove',
    args,
    options: {},
    positionals: ['DOMAIN'],
  });
  await withServices(values.data, (services) =>
    services.directory.domains.remove(positional(positionals, 0), CLI_ACTOR),
  );
  print(`removed domain ${positional(positionals, 0).toLowerCase()}`);
  return 0;
}

async function setDefault(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'domain default',
    args,
    options: {},
    positionals: ['DOMAIN'],
  });
  await withServices(values.data, (services) =>
    services.directory.domains.setDefault(positional(positionals, 0), CLI_ACTOR),
  );
  print(`${positional(positionals, 0).toLowerCase()} is now the default domain`);
  return 0;
}

export const domainCommand: Command = {
  usage,
  run: (args) => dispatch(TOPIC, args, { add, list, remove, default: setDefault }),
};

import { CLI_ACTOR } from '../../directory/types.ts';
import { dispatch, parseCommand, positional } from '../args.ts';
import type { Command } from '../command.ts';
import { print, printTable } from '../output.ts';
import { withServices } from '../with-services.ts';

const usage = `Usage: coo group SUBCOMMAND [--data DIR] ...

Groups cut across the org chart (projects, roles).

  group add NAME [--description D]
  group rename NAME NEW-NAME
  group describe NAME DESCRIPTION
  group remove NAME
  group list
  group members NAME
      The members' addresses, one a line.
  group add-member NAME ADDRESS
  group remove-member NAME ADDRESS

--data DIR: the data dir (default ./data).`;

const TOPIC = 'group';

async function add(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'group add',
    args,
    options: { description: { type: 'string' } },
    positionals: ['NAME'],
  });
  const group = await withServices(values.data, (services) =>
    services.directory.groups.add(positional(positionals, 0), values.description ?? '', CLI_ACTOR),
  );
  print(`added group ${group.name}`);
  return 0;
}

async function rename(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'group rename',
    args,
    options: {},
    positionals: ['NAME', 'NEW-NAME'],
  });
  const group = await withServices(values.data, (services) =>
    services.directory.groups.update(
      positional(positionals, 0),
      { name: positional(positionals, 1) },
      CLI_ACTOR,
    ),
  );
  print(`renamed group ${positional(positionals, 0)} to ${group.name}`);
  return 0;
}

async function describe(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'group describe',
    args,
    options: {},
    positionals: ['NAME', 'DESCRIPTION'],
  });
  const group = await withServices(values.data, (services) =>
    services.directory.groups.update(
      positional(positionals, 0),
      { description: positional(positionals, 1) },
      CLI_ACTOR,
    ),
  );
  print(`group ${group.name}: ${group.description}`);
  return 0;
}

async function remove(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'group remove',
    args,
    options: {},
    positionals: ['NAME'],
  });
  await withServices(values.data, (services) =>
    services.directory.groups.remove(positional(positionals, 0), CLI_ACTOR),
  );
  print(`removed group ${positional(positionals, 0)}`);
  return 0;
}

async function list(args: string[]): Promise<number> {
  const { values } = parseCommand({ topic: TOPIC, command: 'group list', args, options: {} });
  const groups = await withServices(values.data, (services) => services.directory.groups.list());
  if (groups.length === 0) {
    print('no groups yet; add one with: coo group add NAME');
    return 0;
  }
  printTable(
    ['group', 'members', 'description'],
    groups.map((g) => [g.name, String(g.members), g.description]),
    { alignRight: [1] },
  );
  return 0;
}

async function members(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'group members',
    args,
    options: {},
    positionals: ['NAME'],
  });
  const addresses = await withServices(values.data, (services) =>
    services.directory.groups.members(positional(positionals, 0)),
  );
  for (const address of addresses) print(address);
  return 0;
}

function membership(adding: boolean) {
  return async (args: string[]): Promise<number> => {
    const { values, positionals } = parseCommand({
      topic: TOPIC,
      command: adding ? 'group add-member' : 'group remove-member',
      args,
      options: {},
      positionals: ['NAME', 'ADDRESS'],
    });
    const [name, address] = [positional(positionals, 0), positional(positionals, 1)];
    await withServices(values.data, (services) =>
      adding
        ? services.directory.groups.addMember(name, address, CLI_ACTOR)
        : services.directory.groups.removeMember(name, address, CLI_ACTOR),
    );
    print(adding ? `added ${address} to group ${name}` : `removed ${address} from group ${name}`);
    return 0;
  };
}

export const groupCommand: Command = {
  usage,
  run: (args) =>
    dispatch(TOPIC, args, {
      add,
      rename,
      describe,
      remove,
      list,
      members,
      'add-member': membership(true),
      'remove-member': membership(false),
    }),
};

import { CLI_ACTOR, type OrgUnit } from '../../directory/types.ts';
import { dispatch, parseCommand, parseWholeNumber, positional, requireOption } from '../args.ts';
import type { Command } from '../command.ts';
import { print, printJson, printTable } from '../output.ts';
import { withServices } from '../with-services.ts';
import { orgHideCommand } from './org-hide.ts';

const usage = `Usage: coo org SUBCOMMAND [--data DIR] ...

The org chart: units (departments) inside units, written as paths such as
"Sales/Tokyo".

  org add PATH [--parents]
      Adds a unit; --parents also adds missing units above it.
  org move PATH --to PARENT|/ [--position N]
      Moves a unit with everything below it under PARENT ("/": the top level),
      at position N among its new siblings (0 = first; default last).
  org rename PATH NEWNAME
  org remove PATH
      Removes an empty unit (no users, no sub-units).
  org list [--json]
      The tree, with the number of users directly in each unit.
  org hide PATH / org unhide PATH
      A hidden unit's members (and its sub-units') are invisible to everyone
      outside it but administrators, whatever the visibility rules.

--data DIR: the data dir (default ./data).`;

const TOPIC = 'org';

async function add(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'org add',
    args,
    options: { parents: { type: 'boolean' } },
    positionals: ['PATH'],
  });
  const created = await withServices(values.data, (services) =>
    services.directory.org.add(positional(positionals, 0), CLI_ACTOR, { createParents: values.parents }),
  );
  print(`added org unit ${created.path}`);
  return 0;
}

async function move(args: string[]): Promise<number> {
  const command = 'org move';
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command,
    args,
    options: { to: { type: 'string' }, position: { type: 'string' } },
    positionals: ['PATH'],
  });
  const to = requireOption(TOPIC, command, 'to', values.to);
  const parent = to.trim() === '/' ? null : to;
  const position =
    values.position === undefined ? undefined : parseWholeNumber('--position', values.position);
  const newPath = await withServices(values.data, (services) =>
    services.directory.org.move(positional(positionals, 0), parent, CLI_ACTOR, position),
  );
  print(`moved org unit ${positional(positionals, 0)} to ${newPath}`);
  return 0;
}

async function rename(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'org rename',
    args,
    options: {},
    positionals: ['PATH', 'NEWNAME'],
  });
  const newPath = await withServices(values.data, (services) =>
    services.directory.org.rename(positional(positionals, 0), positional(positionals, 1), CLI_ACTOR),
  );
  print(`renamed org unit ${positional(positionals, 0)} to ${newPath}`);
  return 0;
}

async function remove(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'org remove',
    args,
    options: {},
    positionals: ['PATH'],
  });
  await withServices(values.data, (services) =>
    services.directory.org.remove(positional(positionals, 0), CLI_ACTOR),
  );
  print(`removed org unit ${positional(positionals, 0)}`);
  return 0;
}

interface UnitJson {
  name: string;
  path: string;
  members: number;
  children: UnitJson[];
}

function unitJson(unit: OrgUnit): UnitJson {
  return { name: unit.name, path: unit.path, members: unit.members, children: unit.children.map(unitJson) };
}

/** Depth-first rows: the name indented two spaces per level, then its direct member count. */
function treeRows(units: OrgUnit[], depth = 0): string[][] {
  return units.flatMap((unit) => [
    [`${'  '.repeat(depth)}${unit.name}`, String(unit.members)],
    ...treeRows(unit.children, depth + 1),
  ]);
}

async function list(args: string[]): Promise<number> {
  const { values } = parseCommand({
    topic: TOPIC,
    command: 'org list',
    args,
    options: { json: { type: 'boolean' } },
  });
  const units = await withServices(values.data, (services) => services.directory.org.list());
  if (values.json) printJson(units.map(unitJson));
  else if (units.length === 0) print('no org units yet; add one with: coo org add PATH');
  else printTable(['unit', 'members'], treeRows(units), { alignRight: [1] });
  return 0;
}

export const orgCommand: Command = {
  usage,
  run: (args) =>
    dispatch(TOPIC, args, {
      add,
      move,
      rename,
      remove,
      list,
      hide: orgHideCommand(true),
      unhide: orgHideCommand(false),
    }),
};

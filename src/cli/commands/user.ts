import { CLI_ACTOR } from '../../directory/types.ts';
import { parseValidityDate, type UserFields } from '../../directory/user-fields.ts';
import { dispatch, parseCommand, parseYesNo, positional, requireOption, UsageError } from '../args.ts';
import type { Command } from '../command.ts';
import { print, printJson, printTable } from '../output.ts';
import { readPassword } from '../password-input.ts';
import { parseQuota, userDetailLines, userJson, userState } from '../user-view.ts';
import { withServices } from '../with-services.ts';
import { devices, deviceUsage, revokeDevice } from './user-devices.ts';

const usage = `Usage: coo user SUBCOMMAND [--data DIR] ...

  user add ADDRESS --name NAME [--unit PATH] [--reading R] [--title T]
           [--phone P] [--quota SIZE] [--valid-from DATE] [--valid-until DATE]
           [--admin] [--password-stdin]
      Creates a user. Without --password-stdin a password is generated and
      shown once.
  user list [--unit PATH] [--recursive] [--search TEXT] [--json]
      Lists users: address, name, unit, state, admin.
  user show ADDRESS [--json]
      Shows every field of a user and its groups.
  user passwd ADDRESS [--password-stdin]
      Sets a new password, read from standard input (or generated and shown
      once when --password-stdin is left out).
  user disable ADDRESS
  user enable ADDRESS
      A disabled user cannot log in through any protocol.
  user set ADDRESS [--name N] [--reading R] [--title T] [--phone P]
           [--unit PATH | --no-unit] [--quota SIZE|default|unlimited]
           [--valid-from DATE|never] [--valid-until DATE|never] [--admin yes|no]
      Changes the given fields.
${deviceUsage}

DATE is YYYY-MM-DD (valid-until: through the end of that day) or an ISO
date-time; SIZE is e.g. 500M or 2G. --data DIR: the data dir (default ./data).`;

const TOPIC = 'user';

/** The profile options shared by add and set. */
const PROFILE_OPTIONS = {
  name: { type: 'string' },
  reading: { type: 'string' },
  title: { type: 'string' },
  phone: { type: 'string' },
  unit: { type: 'string' },
  quota: { type: 'string' },
  'valid-from': { type: 'string' },
  'valid-until': { type: 'string' },
} as const;

interface ProfileValues {
  name?: string;
  reading?: string;
  title?: string;
  phone?: string;
  unit?: string;
  quota?: string;
  'valid-from'?: string;
  'valid-until'?: string;
}

/** The fields given on the command line; values checked here, before anything is opened. */
function profileFields(values: ProfileValues): UserFields {
  const fields: UserFields = {};
  if (values.name !== undefined) fields.displayName = values.name;
  if (values.reading !== undefined) fields.nameReading = values.reading;
  if (values.title !== undefined) fields.title = values.title;
  if (values.phone !== undefined) fields.phone = values.phone;
  if (values.unit !== undefined) fields.unit = values.unit;
  if (values.quota !== undefined) fields.quotaBytes = parseQuota(values.quota);
  if (values['valid-from'] !== undefined) {
    fields.validFrom = parseValidityDate('valid-from', values['valid-from'], 'start');
  }
  if (values['valid-until'] !== undefined) {
    fields.validUntil = parseValidityDate('valid-until', values['valid-until'], 'end');
  }
  return fields;
}

async function generatedPassword(): Promise<string> {
  return (await import('../../auth/password.ts')).generatePassword();
}

async function add(args: string[]): Promise<number> {
  const command = 'user add';
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command,
    args,
    options: { ...PROFILE_OPTIONS, admin: { type: 'boolean' }, 'password-stdin': { type: 'boolean' } },
    positionals: ['ADDRESS'],
  });
  const address = positional(positionals, 0);
  const displayName = requireOption(TOPIC, command, 'name', values.name);
  const fields = { ...profileFields(values), displayName, isAdmin: values.admin ?? false };
  const generated = values['password-stdin'] ? undefined : await generatedPassword();
  const password = generated ?? (await readPassword());
  const user = await withServices(values.data, (services) =>
    services.directory.users.create(address, fields, CLI_ACTOR, { password }),
  );
  print(`created user ${user.address}${user.isAdmin ? ' (administrator)' : ''}`);
  if (generated !== undefined) print(`Password (shown once): ${generated}`);
  return 0;
}

async function list(args: string[]): Promise<number> {
  const { values } = parseCommand({
    topic: TOPIC,
    command: 'user list',
    args,
    options: {
      unit: { type: 'string' },
      recursive: { type: 'boolean' },
      search: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (values.recursive && values.unit === undefined) {
    throw new UsageError(TOPIC, 'user list: --recursive needs --unit PATH');
  }
  const users = await withServices(values.data, (services) =>
    services.directory.users.list({ unit: values.unit, recursive: values.recursive, text: values.search }),
  );
  const now = Date.now();
  if (values.json) {
    printJson(users.map((user) => userJson(user, now)));
  } else if (users.length === 0) {
    print('no users found');
  } else {
    printTable(
      ['address', 'name', 'unit', 'state', 'admin'],
      users.map((u) => [
        u.address,
        u.displayName,
        u.unit ?? '-',
        userState(u, now),
        u.isAdmin ? 'yes' : 'no',
      ]),
    );
  }
  return 0;
}

async function show(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'user show',
    args,
    options: { json: { type: 'boolean' } },
    positionals: ['ADDRESS'],
  });
  const address = positional(positionals, 0);
  const { user, groups, defaultQuota } = await withServices(values.data, async (services) => ({
    user: await services.directory.users.get(address),
    groups: await services.directory.groups.groupsOf(address),
    defaultQuota: services.config.config.users.default_quota,
  }));
  if (values.json) printJson({ ...userJson(user), groups });
  else for (const line of userDetailLines(user, groups, defaultQuota)) print(line);
  return 0;
}

async function passwd(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'user passwd',
    args,
    options: { 'password-stdin': { type: 'boolean' } },
    positionals: ['ADDRESS'],
  });
  const address = positional(positionals, 0);
  const generated = values['password-stdin'] ? undefined : await generatedPassword();
  const password = generated ?? (await readPassword());
  const user = await withServices(values.data, async (services) => {
    await services.directory.users.setPassword(address, password, CLI_ACTOR);
    return services.directory.users.get(address);
  });
  print(`password of ${user.address} changed`);
  if (generated !== undefined) print(`Password (shown once): ${generated}`);
  return 0;
}

function setDisabled(disabled: boolean) {
  return async (args: string[]): Promise<number> => {
    const { values, positionals } = parseCommand({
      topic: TOPIC,
      command: disabled ? 'user disable' : 'user enable',
      args,
      options: {},
      positionals: ['ADDRESS'],
    });
    const address = positional(positionals, 0);
    const user = await withServices(values.data, (services) =>
      services.directory.users.setDisabled(address, disabled, CLI_ACTOR),
    );
    print(`${disabled ? 'disabled' : 'enabled'} ${user.address} (now ${userState(user)})`);
    return 0;
  };
}

async function set(args: string[]): Promise<number> {
  const command = 'user set';
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command,
    args,
    options: { ...PROFILE_OPTIONS, 'no-unit': { type: 'boolean' }, admin: { type: 'string' } },
    positionals: ['ADDRESS'],
  });
  const address = positional(positionals, 0);
  if (values.unit !== undefined && values['no-unit']) {
    throw new UsageError(TOPIC, `${command}: give either --unit PATH or --no-unit, not both`);
  }
  const fields = profileFields(values);
  if (values['no-unit']) fields.unit = null;
  if (values.admin !== undefined) fields.isAdmin = parseYesNo('--admin', values.admin);
  if (Object.keys(fields).length === 0) {
    throw new UsageError(
      TOPIC,
      `${command}: nothing to change; give at least one option such as --name or --quota`,
    );
  }
  const user = await withServices(values.data, (services) =>
    services.directory.users.update(address, fields, CLI_ACTOR),
  );
  print(`updated ${user.address}`);
  return 0;
}

export const userCommand: Command = {
  usage,
  run: (args) =>
    dispatch(TOPIC, args, {
      add,
      list,
      show,
      passwd,
      disable: setDisabled(true),
      enable: setDisabled(false),
      set,
      devices,
      'revoke-device': revokeDevice,
    }),
};

import { CLI_ACTOR } from '../../directory/types.ts';
import type { AdminSettings } from '../../settings/admin-settings.ts';
import { dispatch, parseCommand, positional } from '../args.ts';
import type { Command } from '../command.ts';
import { print, printTable } from '../output.ts';
import { withServices } from '../with-services.ts';

const usage = `Usage: coo settings SUBCOMMAND [--data DIR] ...

Server settings that take effect at once, also while "coo serve" runs.

  settings list
  settings get NAME
  settings set NAME VALUE

Settings:
  im.login-policy   single (default: a new messenger login replaces the old
                    session), one-per-kind (one desktop + one mobile + one
                    web), multiple
  im.audit-content  none (default: the audit log keeps who sent which
                    message or memo, where and how long) or keep (the text
                    too)
  im.auto-away-minutes
                    minutes without input before a person shows as away
                    (default 10; 0: never)

Limits (while never set, the value in coo.toml applies; sizes as bytes or
"500M", "2G", powers of 1024):
  im.max-upload-size
                    largest file a messenger upload may be ([im]
                    max_upload_size, 2G)
  mail.max-message-size
                    largest mail message, inbound and from mail apps
                    ([mail] max_message_size, 25M)
  mail.max-messages-per-hour
                    messages one person may send from mail apps in an hour
                    ([submission] max_messages_per_hour, 300; 0: no limit)
  mail.max-recipients
                    recipients of one message from a mail app
                    ([submission] max_recipients, 100)

A change applies to the next upload or mail session, on a running server
within seconds.

--data DIR: the data dir (default ./data).`;

const TOPIC = 'settings';

async function adminSettings<T>(dataDir: string, run: (settings: AdminSettings) => Promise<T>): Promise<T> {
  const { AdminSettings } = await import('../../settings/admin-settings.ts');
  return withServices(dataDir, (services) =>
    run(new AdminSettings({ store: services.store, audit: services.audit, config: services.config.config })),
  );
}

async function list(args: string[]): Promise<number> {
  const { values } = parseCommand({ topic: TOPIC, command: 'settings list', args, options: {} });
  const all = await adminSettings(values.data, (settings) => settings.list());
  printTable(
    ['name', 'value', 'description'],
    all.map((s) => [s.name, `${String(s.value)}${s.isDefault ? ' (default)' : ''}`, s.description]),
  );
  return 0;
}

async function get(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'settings get',
    args,
    options: {},
    positionals: ['NAME'],
  });
  const setting = await adminSettings(values.data, (settings) => settings.get(positional(positionals, 0)));
  print(String(setting.value));
  return 0;
}

async function set(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'settings set',
    args,
    options: {},
    positionals: ['NAME', 'VALUE'],
  });
  const name = positional(positionals, 0);
  const setting = await adminSettings(values.data, (settings) =>
    settings.set(name, positional(positionals, 1), CLI_ACTOR),
  );
  print(`${setting.name} = ${String(setting.value)}`);
  return 0;
}

export const settingsCommand: Command = {
  usage,
  run: (args) => dispatch(TOPIC, args, { list, get, set }),
};

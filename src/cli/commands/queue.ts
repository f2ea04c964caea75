import { CLI_ACTOR } from '../../directory/types.ts';
import type { QueueAdmin } from '../../mail/queue/queue-admin.ts';
import type { Services } from '../../services.ts';
import { dispatch, parseCommand, parseWholeNumber, positional, UsageError } from '../args.ts';
import type { Command } from '../command.ts';
import { formatTime, isoTime, plural, print, printJson, printTable } from '../output.ts';
import { withServices } from '../with-services.ts';

const usage = `Usage: coo queue SUBCOMMAND [--data DIR] ...

The outbound mail queue: one entry per recipient of mail waiting to go to
another server (or retried for a local mailbox). A running server retries on
its own, with growing waits, for [queue] max_age_hours; then the sender gets
a delivery report.

  queue list [--all] [--json]
      Waiting mail; --all adds what was delivered or returned in the last day.
  queue retry ID... | --all
      Tries again now (the running server picks it up within seconds).
  queue delete ID
      Removes an entry without telling its sender.

--data DIR: the data dir (default ./data).`;

const TOPIC = 'queue';

/** The queue's admin service over the data dir; loaded on use, like every command's services. */
async function withAdmin<T>(dataDir: string, run: (admin: QueueAdmin) => Promise<T>): Promise<T> {
  const [{ QueueAdmin }, { configuredBlobStore }] = await Promise.all([
    import('../../mail/queue/queue-admin.ts'),
    import('../../blob/blob-store.ts'),
  ]);
  return withServices(dataDir, (services: Services) => {
    const blobs = configuredBlobStore(services.config, services.store.db);
    return run(new QueueAdmin({ store: services.store, audit: services.audit, blobs }));
  });
}

async function list(args: string[]): Promise<number> {
  const { values } = parseCommand({
    topic: TOPIC,
    command: 'queue list',
    args,
    options: { all: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  const entries = await withAdmin(values.data, (admin) => admin.list({ all: values.all }));
  if (values.json) {
    printJson(
      entries.map((e) => ({
        ...e,
        createdAt: isoTime(e.createdAt),
        nextAttemptAt: isoTime(e.nextAttemptAt),
      })),
    );
    return 0;
  }
  if (entries.length === 0) {
    print(values.all ? 'the queue is empty' : 'no mail is waiting');
    return 0;
  }
  printTable(
    ['id', 'status', 'queued', 'next try', 'tries', 'size', 'sender', 'recipient', 'last error'],
    entries.map((e) => [
      String(e.id),
      e.status,
      formatTime(e.createdAt),
      e.status === 'queued' ? formatTime(e.nextAttemptAt) : '-',
      String(e.attempts),
      String(e.size),
      e.sender === '' ? '<>' : e.sender,
      e.recipient,
      e.lastError ?? '',
    ]),
    { alignRight: [0, 4, 5] },
  );
  return 0;
}

async function retry(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'queue retry',
    args,
    options: { all: { type: 'boolean' } },
    optionalPositionals: Array.from({ length: 1000 }, () => 'ID'),
  });
  if (Boolean(values.all) === positionals.length > 0) {
    throw new UsageError(TOPIC, 'queue retry: give the IDs to retry, or --all');
  }
  const ids = values.all ? undefined : positionals.map((id) => parseWholeNumber('ID', id, 1));
  const count = await withAdmin(values.data, (admin) => admin.retry(ids, CLI_ACTOR));
  print(`${plural(count, 'entry', 'entries')} will be tried again now`);
  return 0;
}

async function remove(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'queue delete',
    args,
    options: {},
    positionals: ['ID'],
  });
  const id = parseWholeNumber('ID', positional(positionals, 0), 1);
  const entry = await withAdmin(values.data, (admin) => admin.delete(id, CLI_ACTOR));
  print(
    `deleted ${entry.id}: ${entry.sender === '' ? '<>' : entry.sender} → ${entry.recipient} (${entry.status})`,
  );
  return 0;
}

export const queueCommand: Command = {
  usage,
  run: (args) => dispatch(TOPIC, args, { list, retry, delete: remove }),
};

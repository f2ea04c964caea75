import type { AuditEntry } from '../../audit/audit-log.ts';
import { parseValidityDate } from '../../directory/user-fields.ts';
import { dispatch, parseCommand, parseWholeNumber } from '../args.ts';
import type { Command } from '../command.ts';
import { formatTime, isoTime, plural, print, printError, printJson, printTable } from '../output.ts';
import { withServices } from '../with-services.ts';

const usage = `Usage: coo audit SUBCOMMAND [--data DIR] ...

The audit log: every login, admin action and (later) message, file and mail,
append-only and hash-chained.

  audit verify
      Walks the whole chain; exit 0 when intact, else lists each changed,
      deleted or cut-off entry and exits 1.
  audit list [--actor A] [--action PREFIX] [--since DATE] [--limit N] [--json]
      The newest entries (default 100, at most 1000), oldest first.
      --action user. matches user.create, user.update...

DATE is YYYY-MM-DD or an ISO date-time. --data DIR: the data dir (default ./data).`;

const TOPIC = 'audit';

async function verify(args: string[]): Promise<number> {
  const { values } = parseCommand({ topic: TOPIC, command: 'audit verify', args, options: {} });
  const result = await withServices(values.data, (services) => services.audit.verify());
  if (result.ok) {
    print(`audit log intact: ${plural(result.checked, 'entry', 'entries')}`);
    return 0;
  }
  for (const problem of result.problems) print(`${problem.kind}: ${problem.message}`);
  const count = result.problems.length + result.omittedProblems;
  const omitted = result.omittedProblems ? ` (${result.omittedProblems} more not listed)` : '';
  printError(
    `coo: the audit log is damaged: ${plural(count, 'problem')} in ${plural(result.checked, 'entry', 'entries')}${omitted}`,
  );
  return 1;
}

function entryJson(entry: AuditEntry) {
  return {
    seq: entry.seq,
    at: isoTime(entry.at),
    actor: entry.actor,
    action: entry.action,
    target: entry.target,
    outcome: entry.outcome,
    protocol: entry.protocol,
    remote: entry.remote,
    details: entry.details,
  };
}

async function list(args: string[]): Promise<number> {
  const { values } = parseCommand({
    topic: TOPIC,
    command: 'audit list',
    args,
    options: {
      actor: { type: 'string' },
      action: { type: 'string' },
      since: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const from =
    values.since === undefined ? undefined : (parseValidityDate('since', values.since, 'start') ?? undefined);
  const limit = values.limit === undefined ? undefined : parseWholeNumber('--limit', values.limit, 1);
  const newestFirst = await withServices(values.data, (services) =>
    services.audit.query({ actor: values.actor, action: values.action, from, limit }),
  );
  // Read like a log: the newest entry last, next to the prompt.
  const entries = newestFirst.toReversed();
  if (values.json) {
    printJson(entries.map(entryJson));
  } else if (entries.length === 0) {
    print('no matching audit entries');
  } else {
    printTable(
      ['seq', 'time', 'actor', 'action', 'target', 'outcome', 'via', 'details'],
      entries.map((e) => [
        String(e.seq),
        formatTime(e.at),
        e.actor,
        e.action,
        e.target,
        e.outcome,
        e.remote && e.remote !== 'local' ? `${e.protocol} ${e.remote}` : e.protocol,
        Object.keys(e.details).length ? JSON.stringify(e.details) : '',
      ]),
      { alignRight: [0] },
    );
  }
  return 0;
}

export const auditCommand: Command = {
  usage,
  run: (args) => dispatch(TOPIC, args, { verify, list }),
};

import { CLI_ACTOR } from '../../directory/types.ts';
import { parseValidityDate } from '../../directory/user-fields.ts';
import type { MailSettingsService } from '../../mail/delivery/mail-settings-service.ts';
import type { MailRule } from '../../mail/delivery/rules.ts';
import type { Services } from '../../services.ts';
import {
  dispatch,
  HelpRequested,
  parseCommand,
  parseWholeNumber,
  positional,
  requireOption,
  UsageError,
} from '../args.ts';
import type { Command } from '../command.ts';
import { isoTime, print, printJson, printTable } from '../output.ts';
import { withServices } from '../with-services.ts';

const usage = `Usage: coo mail SUBCOMMAND [--data DIR] ...

Forwarding and delivery rules of a user's mailbox.

  mail forward ADDRESS
      Shows where ADDRESS's mail is forwarded.
  mail forward ADDRESS --to TARGET [--keep-copy]
      Forwards every message to TARGET (one address, here or elsewhere).
      Without --keep-copy nothing stays in the mailbox. The envelope sender
      is rewritten (SRS) and the copy sealed (ARC), so SPF and DMARC hold.
  mail forward ADDRESS --off
  mail rule add ADDRESS block SENDER
      Drops mail from SENDER (an address, or @domain for a domain and its
      subdomains) silently: accepted, never stored, never bounced.
  mail rule add ADDRESS file --field from|to|subject|sender --contains TEXT
                        --mailbox FOLDER
      Files matching mail (case-insensitive) into FOLDER, made when missing.
  mail rule add ADDRESS autoreply --body TEXT [--subject TEXT]
                        [--from DATE] [--until DATE]
      Answers each sender once every few days while away ([mail]
      autoreply_interval_days); never bounces, lists or automatic mail.
  mail rule list ADDRESS [--json]
      The rules in the order they apply.
  mail rule remove ADDRESS ID

DATE is YYYY-MM-DD (--until: through the end of that day) or an ISO
date-time. --data DIR: the data dir (default ./data).`;

const TOPIC = 'mail';

function withMailSettings<T>(
  dataDir: string,
  run: (settings: MailSettingsService) => Promise<T>,
): Promise<T> {
  return withServices(dataDir, async (services: Services) => {
    const { MailSettingsService } = await import('../../mail/delivery/mail-settings-service.ts');
    return run(new MailSettingsService(services));
  });
}

async function forward(args: string[]): Promise<number> {
  const command = 'mail forward';
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command,
    args,
    options: { to: { type: 'string' }, 'keep-copy': { type: 'boolean' }, off: { type: 'boolean' } },
    positionals: ['ADDRESS'],
  });
  const address = positional(positionals, 0);
  if (values.off && (values.to !== undefined || values['keep-copy'])) {
    throw new UsageError(TOPIC, `${command}: --off takes neither --to nor --keep-copy`);
  }
  if (values['keep-copy'] && values.to === undefined) {
    throw new UsageError(TOPIC, `${command}: --keep-copy needs --to`);
  }
  if (values.off) {
    const removed = await withMailSettings(values.data, (settings) =>
      settings.clearForwarding(address, CLI_ACTOR),
    );
    print(removed ? `${address}: forwarding turned off` : `${address}: mail was not forwarded`);
    return 0;
  }
  if (values.to !== undefined) {
    const target = requireOption(TOPIC, command, 'to', values.to);
    const set = await withMailSettings(values.data, (settings) =>
      settings.setForwarding(address, { target, keepCopy: values['keep-copy'] ?? false }, CLI_ACTOR),
    );
    print(
      `${address}: mail is forwarded to ${set.target} (${set.keepCopy ? 'a copy is kept' : 'no copy is kept'})`,
    );
    return 0;
  }
  const current = await withMailSettings(values.data, (settings) => settings.forwarding(address));
  print(
    current
      ? `${address}: mail is forwarded to ${current.target} (${current.keepCopy ? 'a copy is kept' : 'no copy is kept'})`
      : `${address}: mail is not forwarded`,
  );
  return 0;
}

/** The rule of `rule add ADDRESS KIND …`, from what follows the kind. */
function ruleFromArgs(kind: string, rest: string[], data: { set: (dir: string) => void }) {
  const command = `mail rule add ADDRESS ${kind}`;
  switch (kind) {
    case 'block': {
      const { values, positionals } = parseCommand({
        topic: TOPIC,
        command,
        args: rest,
        options: {},
        positionals: ['SENDER'],
      });
      data.set(values.data);
      return { kind, params: { sender: positional(positionals, 0) } };
    }
    case 'file': {
      const { values } = parseCommand({
        topic: TOPIC,
        command,
        args: rest,
        options: { field: { type: 'string' }, contains: { type: 'string' }, mailbox: { type: 'string' } },
      });
      data.set(values.data);
      return {
        kind,
        params: {
          match: {
            field: requireOption(TOPIC, command, 'field', values.field),
            contains: requireOption(TOPIC, command, 'contains', values.contains),
          },
          mailbox: requireOption(TOPIC, command, 'mailbox', values.mailbox),
        },
      };
    }
    case 'autoreply': {
      const { values } = parseCommand({
        topic: TOPIC,
        command,
        args: rest,
        options: {
          body: { type: 'string' },
          subject: { type: 'string' },
          from: { type: 'string' },
          until: { type: 'string' },
        },
      });
      data.set(values.data);
      const from = values.from === undefined ? undefined : parseValidityDate('from', values.from, 'start');
      const until = values.until === undefined ? undefined : parseValidityDate('until', values.until, 'end');
      return {
        kind,
        params: {
          body: requireOption(TOPIC, command, 'body', values.body).replace(/\\n/g, '\n'),
          ...(values.subject === undefined ? {} : { subject: values.subject }),
          ...(from == null ? {} : { from }),
          ...(until == null ? {} : { until }),
        },
      };
    }
    default:
      throw new UsageError(
        TOPIC,
        `mail rule add: unknown rule kind "${kind}" (one of block, file, autoreply)`,
      );
  }
}

async function ruleAdd(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) throw new HelpRequested(TOPIC);
  const [address, kind, ...rest] = args;
  if (address === undefined || address.startsWith('-'))
    throw new UsageError(TOPIC, 'mail rule add: missing ADDRESS');
  if (kind === undefined || kind.startsWith('-')) {
    throw new UsageError(TOPIC, 'mail rule add: missing the rule kind (block, file or autoreply)');
  }
  let dataDir = '';
  const rule = ruleFromArgs(kind, rest, { set: (dir) => (dataDir = dir) });
  const added = await withMailSettings(dataDir, (settings) => settings.addRule(address, rule, CLI_ACTOR));
  print(`added rule #${added.id} for ${address}: ${await describe(added)}`);
  return 0;
}

async function describe(rule: MailRule): Promise<string> {
  const { describeRule } = await import('../../mail/delivery/rules.ts');
  return describeRule(rule);
}

async function ruleList(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'mail rule list',
    args,
    options: { json: { type: 'boolean' } },
    positionals: ['ADDRESS'],
  });
  const address = positional(positionals, 0);
  const rules = await withMailSettings(values.data, (settings) => settings.rules(address));
  if (values.json) {
    printJson(rules.map((rule) => ({ ...rule, createdAt: isoTime(rule.createdAt) })));
    return 0;
  }
  if (rules.length === 0) {
    print(`${address} has no mail rules; add one with: coo mail rule add ${address} block|file|autoreply …`);
    return 0;
  }
  const lines: string[][] = [];
  for (const rule of rules) lines.push([String(rule.id), rule.kind, await describe(rule)]);
  printTable(['id', 'kind', 'rule'], lines, { alignRight: [0] });
  return 0;
}

async function ruleRemove(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'mail rule remove',
    args,
    options: {},
    positionals: ['ADDRESS', 'ID'],
  });
  const address = positional(positionals, 0);
  const id = parseWholeNumber('rule id', positional(positionals, 1).replace(/^#/, ''), 1);
  await withMailSettings(values.data, (settings) => settings.removeRule(address, id, CLI_ACTOR));
  print(`removed rule #${id} of ${address}`);
  return 0;
}

function rule(args: string[]): Promise<number> {
  return dispatch(TOPIC, args, { add: ruleAdd, list: ruleList, remove: ruleRemove });
}

export const mailCommand: Command = {
  usage,
  run: (args) => dispatch(TOPIC, args, { forward, rule }),
};

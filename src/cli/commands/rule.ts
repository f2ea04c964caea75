import { CLI_ACTOR } from '../../directory/types.ts';
import { formatParty, parseParty, ruleSentence } from '../../directory/visibility/rule-text.ts';
import type { VisibilityRule } from '../../directory/visibility/types.ts';
import { dispatch, parseCommand, parseWholeNumber, positional, requireOption } from '../args.ts';
import type { Command } from '../command.ts';
import { isoTime, print, printJson, printTable } from '../output.ts';
import { withServices } from '../with-services.ts';

const usage = `Usage: coo rule SUBCOMMAND [--data DIR] ...

Visibility rules: which org units and groups may see and message which.

  rule add --subject WHO --object WHOM --permission see|message --effect allow|deny
      WHO and WHOM: unit:PATH (the unit and its sub-units), unit-only:PATH,
      group:NAME or everyone. "message" implies "see"; a deny wins over any allow.
  rule list [--json]
      The mode, the rules and the hidden units.
  rule remove ID
  rule mode [open|closed]
      Shows or sets the default: open (everyone may see and message everyone
      unless a deny rule says otherwise) or closed (only what allow rules
      open). Oneself, one's own unit and administrators are always visible.
  rule check A B [--json]
      Whether A may see and may message B, and the rule (or reason) that decided.

Hide a unit from everyone outside it with: coo org hide PATH.

--data DIR: the data dir (default ./data).`;

const TOPIC = 'rule';

async function add(args: string[]): Promise<number> {
  const command = 'rule add';
  const { values } = parseCommand({
    topic: TOPIC,
    command,
    args,
    options: {
      subject: { type: 'string' },
      object: { type: 'string' },
      permission: { type: 'string' },
      effect: { type: 'string' },
    },
  });
  const input = {
    subject: parseParty(requireOption(TOPIC, command, 'subject', values.subject), '--subject'),
    object: parseParty(requireOption(TOPIC, command, 'object', values.object), '--object'),
    permission: requireOption(TOPIC, command, 'permission', values.permission),
    effect: requireOption(TOPIC, command, 'effect', values.effect),
  };
  const rule = await withServices(values.data, (services) =>
    services.visibility.admin.addRule(input, CLI_ACTOR),
  );
  print(`added rule #${rule.id}: ${ruleSentence(rule)}`);
  return 0;
}

function ruleJson(rule: VisibilityRule) {
  return { ...rule, text: ruleSentence(rule), createdAt: isoTime(rule.createdAt) };
}

async function list(args: string[]): Promise<number> {
  const { values } = parseCommand({
    topic: TOPIC,
    command: 'rule list',
    args,
    options: { json: { type: 'boolean' } },
  });
  const overview = await withServices(values.data, (services) => services.visibility.admin.overview());
  if (values.json) {
    printJson({ ...overview, rules: overview.rules.map(ruleJson) });
    return 0;
  }
  print(`mode: ${overview.mode}`);
  if (overview.rules.length === 0) print('no rules; add one with: coo rule add --subject … --object …');
  else {
    printTable(
      ['id', 'subject', 'may', 'object'],
      overview.rules.map((rule) => [
        String(rule.id),
        formatParty(rule.subject),
        `${rule.effect === 'allow' ? 'may' : 'may not'} ${rule.permission}`,
        formatParty(rule.object),
      ]),
      { alignRight: [0] },
    );
  }
  print(`hidden units: ${overview.hiddenUnits.length === 0 ? 'none' : overview.hiddenUnits.join(', ')}`);
  return 0;
}

async function remove(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'rule remove',
    args,
    options: {},
    positionals: ['ID'],
  });
  const id = parseWholeNumber('rule id', positional(positionals, 0).replace(/^#/, ''), 1);
  const rule = await withServices(values.data, (services) =>
    services.visibility.admin.removeRule(id, CLI_ACTOR),
  );
  print(`removed rule #${rule.id}: ${ruleSentence(rule)}`);
  return 0;
}

async function mode(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'rule mode',
    args,
    options: {},
    optionalPositionals: ['open|closed'],
  });
  const wanted = positionals[0];
  if (wanted === undefined) {
    print(await withServices(values.data, (services) => services.visibility.admin.mode()));
    return 0;
  }
  const result = await withServices(values.data, (services) =>
    services.visibility.admin.setMode(wanted, CLI_ACTOR),
  );
  print(
    result.changed ? `visibility mode is now ${result.mode}` : `visibility mode is already ${result.mode}`,
  );
  return 0;
}

async function check(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'rule check',
    args,
    options: { json: { type: 'boolean' } },
    positionals: ['A', 'B'],
  });
  const result = await withServices(values.data, (services) =>
    services.visibility.admin.check(positional(positionals, 0), positional(positionals, 1)),
  );
  if (values.json) {
    printJson(result);
    return 0;
  }
  const yesNo = (allowed: boolean) => (allowed ? 'yes' : 'no ');
  print(`${result.a} → ${result.b}`);
  print(`see:      ${yesNo(result.see.allowed)}  ${result.see.explanation}`);
  print(`message:  ${yesNo(result.message.allowed)}  ${result.message.explanation}`);
  return 0;
}

export const ruleCommand: Command = {
  usage,
  run: (args) => dispatch(TOPIC, args, { add, list, remove, mode, check }),
};

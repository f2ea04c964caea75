import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { CooError } from '../errors.ts';
import { ErrorCode } from '../protocol/errors.ts';

/** The data dir every command works on unless told otherwise. */
export const DEFAULT_DATA_DIR = './data';

/**
 * A command line of the wrong shape: unknown command or option, a missing or
 * extra argument. Exit 2, with a pointer to the help of `topic`.
 */
export class UsageError extends Error {
  /** "user", "org"...; empty for the top level. */
  readonly topic: string;

  constructor(topic: string, message: string) {
    super(message);
    this.name = 'UsageError';
    this.topic = topic;
  }
}

/** Thrown (and caught by main) when --help was given: print this topic's usage, exit 0. */
export class HelpRequested extends Error {
  readonly topic: string;

  constructor(topic: string) {
    super(`help for ${topic}`);
    this.name = 'HelpRequested';
    this.topic = topic;
  }
}

const COMMON_OPTIONS = {
  data: { type: 'string', default: DEFAULT_DATA_DIR },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface CommandShape<O extends ParseArgsOptionsConfig> {
  /** The help topic named in usage errors: "user", "org"... */
  topic: string;
  /** What follows the command name, e.g. "user add". */
  command: string;
  args: string[];
  options: O;
  /** Names of the required positional arguments, in order ("ADDRESS"). */
  positionals?: readonly string[];
  /** Names of optional positional arguments after the required ones. */
  optionalPositionals?: readonly string[];
}

/**
 * Parses one command's arguments with node:util parseArgs (strict), adds
 * --data and --help, and turns every mistake into a UsageError.
 */
export function parseCommand<const O extends ParseArgsOptionsConfig>(shape: CommandShape<O>) {
  let parsed;
  try {
    parsed = parseArgs({
      args: shape.args,
      options: { ...COMMON_OPTIONS, ...shape.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(shape.topic, `${shape.command}: ${describeParseError(error)}`);
  }
  if ((parsed.values as { help?: boolean }).help) throw new HelpRequested(shape.topic);
  const required = shape.positionals ?? [];
  const optional = shape.optionalPositionals ?? [];
  const given = parsed.positionals;
  if (given.length < required.length) {
    throw new UsageError(shape.topic, `${shape.command}: missing ${required.slice(given.length).join(' ')}`);
  }
  if (given.length > required.length + optional.length) {
    const extra = given.slice(required.length + optional.length);
    throw new UsageError(
      shape.topic,
      `${shape.command}: unexpected argument ${extra.map((a) => `"${a}"`).join(' ')}`,
    );
  }
  return parsed;
}

function describeParseError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${quoted}`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument "${quoted}"`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = quoted.split(' ')[0] ?? quoted;
    // "argument missing", or "ambiguous" when the next word is another option.
    return /does not take an argument/.test(error.message)
      ? `option ${option} takes no value`
      : `option ${option} needs a value`;
  }
  return error.message;
}

/** The value of a required option, or a usage error naming it. */
export function requireOption(
  topic: string,
  command: string,
  name: string,
  value: string | undefined,
): string {
  if (value === undefined || value === '') throw new UsageError(topic, `${command}: missing --${name}`);
  return value;
}

/** A positional argument that parseCommand has already checked is there. */
export function positional(positionals: string[], index: number): string {
  const value = positionals[index];
  if (value === undefined) throw new Error(`positional argument ${index} missing after parseCommand`);
  return value;
}

/** Parses a whole number such as --limit or a token ID; `label` names it in the error. */
export function parseWholeNumber(label: string, text: string, min = 0): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
    throw new CooError(ErrorCode.INVALID_INPUT, `${label} "${text}" is not a whole number from ${min}`);
  }
  return value;
}

/** Parses a yes/no value such as --admin's in `user set`. */
export function parseYesNo(label: string, text: string): boolean {
  const value = text.trim().toLowerCase();
  if (['yes', 'y', 'true', 'on', '1'].includes(value)) return true;
  if (['no', 'n', 'false', 'off', '0'].includes(value)) return false;
  throw new CooError(ErrorCode.INVALID_INPUT, `${label} "${text}": expected yes or no`);
}

/**
 * Moves a leading `--data DIR` behind the word after it, so that
 * `coo --data DIR user list` and `coo user --data DIR list` mean
 * `coo user list --data DIR`.
 */
export function hoistDataOption(args: string[]): string[] {
  const leading: string[] = [];
  let i = 0;
  while (i < args.length) {
    const arg = args[i] ?? '';
    if (arg.startsWith('--data=')) {
      leading.push(arg);
      i += 1;
    } else if (arg === '--data' && i + 1 < args.length) {
      leading.push(arg, args[i + 1] ?? '');
      i += 2;
    } else {
      break;
    }
  }
  // Nothing after it: the command or subcommand is missing, which the caller reports.
  if (i >= args.length) return [];
  return [args[i] ?? '', ...args.slice(i + 1), ...leading];
}

export interface Subcommand {
  (args: string[]): Promise<number | void>;
}

/** Runs `coo TOPIC SUB ...` by the first argument; "--help" or "help" shows the topic's usage. */
export async function dispatch(
  topic: string,
  args: string[],
  subcommands: Record<string, Subcommand>,
): Promise<number> {
  const [name, ...rest] = hoistDataOption(args);
  const names = Object.keys(subcommands);
  if (name === undefined)
    throw new UsageError(topic, `${topic}: missing subcommand (one of ${names.join(', ')})`);
  if (name === '--help' || name === '-h' || name === 'help') throw new HelpRequested(topic);
  const run = Object.hasOwn(subcommands, name) ? subcommands[name] : undefined;
  if (!run) {
    const what = name.startsWith('-')
      ? `expected a subcommand before ${name}`
      : `unknown subcommand "${name}"`;
    throw new UsageError(topic, `${topic}: ${what} (one of ${names.join(', ')})`);
  }
  return (await run(rest)) ?? 0;
}

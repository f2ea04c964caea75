import { openSync, closeSync, fsyncSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { CsvEncoding } from '../../directory/csv-text.ts';
import { CLI_ACTOR } from '../../directory/types.ts';
import { exportUsers, importUsers } from '../../directory/user-csv.ts';
import { CooError, isCooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { parseCommand, positional } from '../args.ts';
import type { Command } from '../command.ts';
import { formatSeconds, plural, print, printError } from '../output.ts';
import { withServices } from '../with-services.ts';

const COLUMNS_HELP = `The CSV has a header row naming its columns: address and name (required),
reading, unit (a path such as "Sales/Tokyo"), title, phone, quota (e.g. 2G,
"unlimited", blank for the default), valid_until (YYYY-MM-DD) and, on import
only, password. FILE "-" is standard input or output.`;

const importUsage = `Usage: coo import FILE [--dry-run] [--encoding auto|utf-8|shift_jis] [--data DIR]

Creates and updates users from a CSV file, all or nothing: when any line has
an error, every error is listed as FILE:LINE: message and nothing is written.
Missing org units are created.

${COLUMNS_HELP}

Options:
  --dry-run          check the file and report what would change; write nothing
  --encoding ENC     auto (default: UTF-8 when the file is valid UTF-8, else Shift_JIS),
                     utf-8 or shift_jis
  --data DIR         the data dir (default ./data)`;

const exportUsage = `Usage: coo export FILE [--encoding utf-8|shift_jis] [--data DIR]

Writes every user to a CSV file in the format import reads; importing it
back changes nothing.

${COLUMNS_HELP}

Options:
  --encoding ENC     utf-8 (default) or shift_jis (for Excel on Japanese Windows)
  --data DIR         the data dir (default ./data)`;

const ENCODING_NAMES: Record<string, CsvEncoding> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  shift_jis: 'shift_jis',
  'shift-jis': 'shift_jis',
  sjis: 'shift_jis',
};

function parseEncoding(text: string | undefined, allowAuto: boolean): CsvEncoding | 'auto' {
  const name = (text ?? (allowAuto ? 'auto' : 'utf-8')).trim().toLowerCase();
  if (allowAuto && name === 'auto') return 'auto';
  const encoding = ENCODING_NAMES[name];
  if (!encoding) {
    const choices = allowAuto ? 'auto, utf-8 or shift_jis' : 'utf-8 or shift_jis';
    throw new CooError(ErrorCode.INVALID_INPUT, `--encoding "${text}": expected ${choices}`);
  }
  return encoding;
}

async function readInput(file: string): Promise<Buffer> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  try {
    return readFileSync(file);
  } catch (error) {
    throw new CooError(ErrorCode.NOT_FOUND, `cannot read ${file}: ${describeFileError(error)}`);
  }
}

function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a folder';
  return error instanceof Error ? error.message : String(error);
}

/** A progress bar on stderr, only for a person watching a terminal. */
function progressReporter(): { update(done: number, total: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(done, total) {
      if (!bar) {
        bar = new cliProgress.SingleBar(
          {
            format: 'importing [{bar}] {percentage}% | {value}/{total} users | ETA {eta}s',
            stream: process.stderr,
            clearOnComplete: true,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, done);
      } else {
        bar.setTotal(total);
        bar.update(done);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}

function printLineErrors(
  label: string,
  errors: readonly { line?: number; field?: string; message: string }[],
): void {
  for (const error of errors) {
    const where = error.line ? `${label}:${error.line}` : label;
    printError(`${where}: ${error.field ? `${error.field}: ` : ''}${error.message}`);
  }
}

async function runImport(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: 'import',
    command: 'import',
    args,
    options: { 'dry-run': { type: 'boolean' }, encoding: { type: 'string' } },
    positionals: ['FILE'],
  });
  const file = positional(positionals, 0);
  const label = file === '-' ? 'stdin' : file;
  const encoding = parseEncoding(values.encoding, true);
  const dryRun = values['dry-run'] ?? false;
  const input = await readInput(file);
  const progress = progressReporter();
  let report;
  try {
    report = await withServices(values.data, (services) =>
      importUsers(services, input, {
        dryRun,
        encoding,
        actor: CLI_ACTOR,
        onProgress: (done, total) => progress.update(done, total),
      }),
    );
  } catch (error) {
    progress.stop();
    // A rejected file may also come back as one error carrying a detail per line.
    if (isCooError(error) && error.details?.length) {
      printLineErrors(label, error.details);
      printError(`coo: nothing was imported (${plural(error.details.length, 'error')})`);
      return 1;
    }
    throw error;
  }
  progress.stop();
  if (report.errors.length > 0) {
    printLineErrors(label, report.errors);
    printError(`coo: nothing was imported (${plural(report.errors.length, 'error')})`);
    return 1;
  }
  const total = report.created + report.updated + report.unchanged;
  const unitCount = report.unitsCreated.length;
  const units = unitCount ? `; ${plural(unitCount, 'org unit')} created` : '';
  if (dryRun) {
    print(
      `dry run: ${plural(total, 'user')} checked in ${formatSeconds(report.elapsedMs)}: ` +
        `${report.created} to create, ${report.updated} to update, ${report.unchanged} unchanged` +
        `${unitCount ? `; ${plural(unitCount, 'org unit')} to create` : ''}; nothing was written`,
    );
  } else {
    print(
      `imported ${plural(total, 'user')} in ${formatSeconds(report.elapsedMs)} ` +
        `(${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged${units})`,
    );
  }
  return 0;
}

/** Writes beside the target, flushes, then renames: a reader never sees half a file. */
function writeFileAtomically(file: string, data: Buffer): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, data, { mode: 0o600 });
    const fd = openSync(temp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new CooError(ErrorCode.INVALID_INPUT, `cannot write ${file}: ${describeFileError(error)}`);
  }
}

async function runExport(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: 'export',
    command: 'export',
    args,
    options: { encoding: { type: 'string' } },
    positionals: ['FILE'],
  });
  const file = positional(positionals, 0);
  const encoding = parseEncoding(values.encoding, false) as CsvEncoding;
  const { csv, count } = await withServices(values.data, async (services) => ({
    csv: await exportUsers(services, { encoding }),
    count: (await services.directory.users.list()).length,
  }));
  if (file === '-') {
    process.stdout.write(csv);
    return 0;
  }
  writeFileAtomically(file, csv);
  print(`exported ${plural(count, 'user')} to ${file}`);
  return 0;
}

export const importCommand: Command = {
  usage: importUsage,
  run: runImport,
};

export const exportCommand: Command = {
  usage: exportUsage,
  run: runExport,
};

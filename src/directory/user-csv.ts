import { availableParallelism } from 'node:os';
import { hashPassword, importPasswordParams, type PasswordParams } from '../auth/password.ts';
import type { Services } from '../services.ts';
import type { Executor } from '../store/database.ts';
import { listDomains } from '../store/domains.ts';
import { listOrgUnits } from '../store/org-units.ts';
import { listAllUsers } from '../store/user-import.ts';
import { decodeCsv, parseCsvRecords, type CsvRecord, type LineError } from './csv-text.ts';
import type { Actor } from './types.ts';
import { checkLine, readHeader, type ColumnIndex, type ImportLine } from './user-csv-lines.ts';
import { planImport, type DirectorySnapshot, type ImportPlan } from './user-import-plan.ts';
import { writeImport } from './user-import-write.ts';

export { USER_CSV_COLUMNS } from './user-csv-lines.ts';
export { exportUsers, type ExportOptions } from './user-csv-export.ts';

/** Larger files are refused before parsing: ten thousand users take about 1 MB. */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;
export const MAX_IMPORT_USERS = 100_000;
/** onProgress is called about this often, in lines. */
const PROGRESS_STEP = 100;

export interface ImportOptions {
  /** Check everything and count what would change, but write nothing. */
  dryRun?: boolean;
  /** 'auto' (the default): UTF-8 when the bytes are valid UTF-8, else Shift_JIS. */
  encoding?: 'auto' | 'utf-8' | 'shift_jis';
  /** Who imports, for the audit log. */
  actor: Actor;
  /** Lines ready so far (checked, password hashed) out of all data lines; `total` is reported once written. */
  onProgress?: (done: number, total: number) => void;
}

export interface ImportReport {
  created: number;
  updated: number;
  unchanged: number;
  /** Paths of the org units the import created (or, in a dry run, would create), parents first. */
  unitsCreated: string[];
  /** When not empty, nothing was written. Lines count from 1, the header. */
  errors: { line: number; message: string }[];
  elapsedMs: number;
}

/**
 * Imports users from CSV, all or nothing: every line is checked first and any
 * error leaves the directory as it was; otherwise missing org units are
 * created, new users created and existing ones (matched by address) updated
 * in one transaction, with an audit entry per change and one summary.
 */
export async function importUsers(
  services: Services,
  input: Buffer,
  options: ImportOptions,
): Promise<ImportReport> {
  const started = performance.now();
  const finish = (result: Partial<ImportReport>): ImportReport => ({
    created: 0,
    updated: 0,
    unchanged: 0,
    unitsCreated: [],
    ...result,
    errors: (result.errors ?? []).map(({ line, message }) => ({ line, message })),
    elapsedMs: Math.round(performance.now() - started),
  });

  const read = readImportFile(input, options.encoding ?? 'auto');
  if (!read.ok) return finish({ errors: read.errors });
  const progress = new Progress(read.records.length, options.onProgress);
  const checked = checkLines(read.records, read.columns, read.header.fields.length, progress);
  const plan = planImport(checked.lines, await loadSnapshot(services.store.db));
  const errors = [...checked.errors, ...plan.errors].sort((a, b) => a.line - b.line);
  if (errors.length > 0) return finish({ errors });
  if (options.dryRun) {
    progress.done();
    return finish(counts(plan));
  }

  const hashes = await hashPasswords(
    checked.lines,
    importPasswordParams(services.config.config.auth),
    progress,
  );
  const written = await writeImport(services.store.db, {
    hashes,
    actor: options.actor,
    audit: services.audit,
    plan: (db) => loadSnapshot(db).then((snapshot) => planImport(checked.lines, snapshot)),
  });
  if (!written.ok) return finish({ errors: written.errors });
  progress.done();
  return finish(counts(written.plan));
}

function counts(plan: ImportPlan): Partial<ImportReport> {
  return {
    created: plan.creates.length,
    updated: plan.updates.length,
    unchanged: plan.unchanged,
    unitsCreated: plan.units.map((unit) => unit.path),
  };
}

type ImportFile =
  | { ok: true; header: CsvRecord; columns: ColumnIndex; records: CsvRecord[] }
  | { ok: false; errors: LineError[] };

function readImportFile(input: Buffer, encoding: 'auto' | 'utf-8' | 'shift_jis'): ImportFile {
  if (input.length > MAX_IMPORT_BYTES) {
    return {
      ok: false,
      errors: [{ line: 1, message: `the file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB` }],
    };
  }
  const decoded = decodeCsv(input, encoding);
  if (!decoded.ok) return { ok: false, errors: [decoded.error] };
  const parsed = parseCsvRecords(decoded.text);
  if (!parsed.ok) return { ok: false, errors: [parsed.error] };
  const [header, ...rest] = parsed.records;
  if (!header)
    return {
      ok: false,
      errors: [{ line: 1, message: 'the file is empty; the first line must name the columns' }],
    };
  const { columns, errors } = readHeader(header);
  if (errors.length > 0) return { ok: false, errors };
  // Spreadsheets leave rows of empty cells (",,,,") below the data.
  const records = rest.filter((record) => record.fields.some((field) => field.trim() !== ''));
  if (records.length > MAX_IMPORT_USERS) {
    const message = `the file has ${records.length} users; at most ${MAX_IMPORT_USERS} can be imported at once`;
    return { ok: false, errors: [{ line: 1, message }] };
  }
  return { ok: true, header, columns, records };
}

/** Checks each line on its own, and that no address is given twice. */
function checkLines(records: CsvRecord[], columns: ColumnIndex, width: number, progress: Progress) {
  const lines: ImportLine[] = [];
  const errors: LineError[] = [];
  const firstLine = new Map<string, number>();
  for (const record of records) {
    const result = checkLine(record, columns, width);
    if (Array.isArray(result)) {
      errors.push(...result);
      continue;
    }
    const earlier = firstLine.get(result.address.address);
    if (earlier !== undefined) {
      errors.push({
        line: result.line,
        message: `address: ${result.address.address} is already on line ${earlier}`,
      });
      continue;
    }
    firstLine.set(result.address.address, result.line);
    lines.push(result);
    if (result.password === undefined) progress.add(1);
  }
  return { lines, errors };
}

async function loadSnapshot(db: Executor): Promise<DirectorySnapshot> {
  // One query each, whatever the size of the file: nothing is looked up per line.
  const domains = await listDomains(db);
  const units = await listOrgUnits(db);
  const users = await listAllUsers(db);
  return { domains, units, users };
}

/**
 * Hashes the given passwords before the transaction opens (no lock may be
 * held while 10,000 hash), at the import cost (see importPasswordParams),
 * as many at a time as libuv has threads to run them on.
 */
async function hashPasswords(
  lines: readonly ImportLine[],
  params: PasswordParams,
  progress: Progress,
): Promise<Map<string, string>> {
  const pending = lines.filter((line) => line.password !== undefined);
  const hashes = new Map<string, string>();
  let next = 0;
  const worker = async () => {
    for (let line = pending[next++]; line; line = pending[next++]) {
      hashes.set(line.address.address, await hashPassword(line.password ?? '', params));
      progress.add(1);
    }
  };
  const workers = Math.min(hashingThreads(), pending.length);
  await Promise.all(Array.from({ length: workers }, worker));
  return hashes;
}

/** argon2 runs on the libuv threadpool (UV_THREADPOOL_SIZE, 4 unless set); more workers than threads only queue. */
function hashingThreads(): number {
  const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return Math.max(1, Math.min(availableParallelism(), pool));
}

/** Reports progress every PROGRESS_STEP lines; the total only once the import is complete. */
class Progress {
  readonly #total: number;
  readonly #report: ((done: number, total: number) => void) | undefined;
  #done = 0;
  #reported = 0;

  constructor(total: number, report: ((done: number, total: number) => void) | undefined) {
    this.#total = total;
    this.#report = report;
  }

  add(lines: number): void {
    this.#done += lines;
    const shown = Math.min(this.#done, this.#total - 1);
    if (shown - this.#reported >= PROGRESS_STEP) {
      this.#reported = shown;
      this.#report?.(shown, this.#total);
    }
  }

  done(): void {
    this.#report?.(this.#total, this.#total);
  }
}

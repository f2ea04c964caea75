import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Executor } from '../store/database.ts';
import { readAuditHead, selectAuditPage, type AuditRow } from '../store/audit.ts';
import { entryHash } from './audit-chain.ts';

export interface AuditProblem {
  /** The entry the problem starts at. */
  seq: number;
  kind: 'changed' | 'missing' | 'truncated';
  message: string;
}

export interface AuditVerification {
  ok: boolean;
  /** Entries read. */
  checked: number;
  /** The first MAX_REPORTED_PROBLEMS problems, in seq order. */
  problems: AuditProblem[];
  /** Problems found beyond those reported. */
  omittedProblems: number;
}

export const DEFAULT_VERIFY_PAGE_SIZE = 1000;
/** A log rewritten wholesale would otherwise report a million lines. */
export const MAX_REPORTED_PROBLEMS = 1000;

/**
 * Walks the log in seq order, a page at a time (memory stays flat however long
 * the log), and checks each entry twice: its hash against its own content and
 * prev_hash, and its prev_hash against the entry before. Checking the two
 * apart pins a problem to the entry where it is, instead of every entry after.
 *
 * The head is read first and the walk stops at its seq: entries appended while
 * the walk runs are left for the next verification. No transaction spans the
 * walk; on SQLite it would hold back every writer for its whole length.
 */
export async function verifyAuditChain(
  executor: Executor,
  pageSize = DEFAULT_VERIFY_PAGE_SIZE,
): Promise<AuditVerification> {
  const head = await readAuditHead(executor);
  const report = new ProblemReport();
  let previous: { seq: number; hash: string; changed: boolean } = { seq: 0, hash: '', changed: false };
  let checked = 0;
  for (;;) {
    const page = await selectAuditPage(executor, previous.seq, head.seq, pageSize);
    for (const row of page) {
      checked++;
      const gap = row.seq !== previous.seq + 1;
      if (gap) {
        const first = previous.seq + 1;
        const last = row.seq - 1;
        const which = first === last ? `entry ${first} was` : `entries ${first}..${last} were`;
        report.add({ seq: first, kind: 'missing', message: `${which} deleted` });
      }
      const changed = entryHash(row.prev_hash, row) !== row.hash;
      if (changed) {
        report.add({ seq: row.seq, kind: 'changed', message: `${describe(row)} was changed` });
      } else if (!gap && !previous.changed && row.prev_hash !== previous.hash) {
        // Both entries hash right on their own, so one was rewritten with a recomputed hash.
        const message = `${describe(row)} does not follow entry ${previous.seq}: one of them was rewritten`;
        report.add({ seq: row.seq, kind: 'changed', message });
      }
      previous = { seq: row.seq, hash: row.hash, changed };
    }
    if (page.length < pageSize) break;
    // node:sqlite answers synchronously, so without this a long walk would
    // hold the event loop (and every listener) until it ends.
    await nextTurn();
  }
  checkTail(previous, head, report);
  return { ok: report.count === 0, checked, problems: report.problems, omittedProblems: report.omitted };
}

function checkTail(
  last: { seq: number; hash: string },
  head: { seq: number; hash: string },
  report: ProblemReport,
) {
  if (last.seq < head.seq) {
    const message =
      last.seq === 0
        ? `all ${head.seq} entries were deleted`
        : `the last entries after ${last.seq} were deleted (${last.seq + 1}..${head.seq})`;
    report.add({ seq: last.seq + 1, kind: 'truncated', message });
  } else if (last.hash !== head.hash) {
    const message = `the log ends at entry ${last.seq} but the head records another last hash: the last entries after ${last.seq} were deleted or rewritten`;
    report.add({ seq: last.seq, kind: 'truncated', message });
  }
}

class ProblemReport {
  readonly problems: AuditProblem[] = [];
  omitted = 0;

  get count(): number {
    return this.problems.length + this.omitted;
  }

  add(problem: AuditProblem): void {
    if (this.problems.length < MAX_REPORTED_PROBLEMS) this.problems.push(problem);
    else this.omitted++;
  }
}

/** "entry 42 (user.create by cli at 2026-11-22T12:00:00Z)" */
function describe(row: AuditRow): string {
  const date = new Date(row.at);
  // A tampered time may be out of Date's range; show the number then.
  const at = Number.isNaN(date.getTime()) ? String(row.at) : date.toISOString().replace('.000Z', 'Z');
  return `entry ${row.seq} (${row.action} by ${row.actor} at ${at})`;
}

import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { MEMO_LIMITS } from '../../protocol/im/memos.ts';
import { checkIds, codePoints } from '../conversations/input.ts';

export interface MemoDraft {
  subject?: string;
  body: string;
  to: { userIds?: readonly number[]; unitIds?: readonly number[] };
  attachments?: readonly string[];
}

export interface CheckedMemo {
  subject: string;
  body: string;
  userIds: number[];
  unitIds: number[];
  fileIds: string[];
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_OR_BREAK = /[\u0000-\u001f\u007f]/;

function invalid(field: string, message: string): CooError {
  return new CooError(ErrorCode.INVALID_INPUT, `${field}: ${message}`, [{ field, message }]);
}

/** The rules of a memo, for every front end (frames, REST, bots). */
export function checkMemoDraft(draft: MemoDraft): CheckedMemo {
  const subject = (draft.subject ?? '').trim().normalize('NFC');
  if (codePoints(subject) > MEMO_LIMITS.subjectChars) {
    throw invalid('subject', `longer than ${MEMO_LIMITS.subjectChars} characters`);
  }
  if (CONTROL_OR_BREAK.test(subject)) throw invalid('subject', 'one line without control characters');
  if (codePoints(draft.body) > MEMO_LIMITS.bodyChars) {
    throw invalid('body', `longer than ${MEMO_LIMITS.bodyChars} characters`);
  }
  if (CONTROL.test(draft.body)) throw invalid('body', 'contains control characters');
  const fileIds = [...new Set(draft.attachments ?? [])];
  if (fileIds.length > MEMO_LIMITS.attachmentsPerMemo) {
    throw invalid('attachments', `at most ${MEMO_LIMITS.attachmentsPerMemo} files`);
  }
  if (draft.body.trim() === '' && fileIds.length === 0) throw invalid('body', 'empty memo');
  const userIds = checkIds('to.userIds', draft.to.userIds ?? [], MEMO_LIMITS.targetsPerMemo);
  const unitIds = checkIds('to.unitIds', draft.to.unitIds ?? [], MEMO_LIMITS.targetsPerMemo);
  if (userIds.length === 0 && unitIds.length === 0) throw invalid('to', 'name at least one user or unit');
  return { subject, body: draft.body, userIds, unitIds, fileIds };
}

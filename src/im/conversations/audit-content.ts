import type { Executor } from '../../store/database.ts';
import { getSetting } from '../../store/settings.ts';

/**
 * The admin setting that says whether the audit log keeps the text of
 * messages and memos: 'none' (the default: metadata only — who, where, which
 * seq, how long) or 'keep'. Any other stored value counts as 'none', so a
 * typo never starts recording content.
 */
export const AUDIT_CONTENT_SETTING = 'im.audit_content';
export type AuditContent = 'none' | 'keep';

export async function readAuditContent(db: Executor): Promise<AuditContent> {
  const value = await getSetting<unknown>(db, AUDIT_CONTENT_SETTING);
  return value === 'keep' ? 'keep' : 'none';
}

import type { Executor } from '../../store/database.ts';
import { getSetting } from '../../store/settings.ts';

/**
 * The admin setting (`coo settings set im.audit-content keep`, stored under
 * this key) that says whether the audit log keeps the text of
 * messages and memos: 'none' (the default: metadata only — who, where, which
 * seq, how long) or 'keep'. Any other stored value counts as 'none', so a
 * typo never starts recording content.
 */
export const AUDIT_CONTENT_SETTING = 'im.audit_content';
export const AUDIT_CONTENT_VALUES = ['none', 'keep'] as const;
export type AuditContent = (typeof AUDIT_CONTENT_VALUES)[number];

export async function readAuditContent(db: Executor): Promise<AuditContent> {
  const value = await getSetting<unknown>(db, AUDIT_CONTENT_SETTING);
  return value === 'keep' ? 'keep' : 'none';
}

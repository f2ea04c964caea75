import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import * as conversations from '../../store/conversations.ts';
import type { Executor } from '../../store/database.ts';
import type { MessagingDeps } from './deps.ts';

/**
 * The conversation, when the user is a current member of it. Anything else
 * is IM_CONVERSATION_UNKNOWN, the same answer as for an id that does not
 * exist, so nobody learns which conversations exist by probing ids.
 */
export async function requireMembership(
  db: Executor,
  conversationId: number,
  userId: number,
): Promise<conversations.ConversationRow> {
  const member = await conversations.findMember(db, conversationId, userId);
  const row = member?.active === 1 ? await conversations.findConversation(db, conversationId) : undefined;
  if (!row) throw new CooError(ErrorCode.IM_CONVERSATION_UNKNOWN, `no conversation ${conversationId}`);
  return row;
}

/** 1:1 conversations have fixed members and no title. */
export function requireGroup(row: conversations.ConversationRow, what: string): void {
  if (row.kind !== 'group') {
    throw new CooError(
      ErrorCode.INVALID_INPUT,
      `a 1:1 conversation cannot be ${what}; start a group instead`,
    );
  }
}

/**
 * The users, all of which must exist and be enabled; USER_UNKNOWN names the
 * first that does not.
 */
export async function requireUsers(
  db: Executor,
  ids: readonly number[],
): Promise<Map<number, { id: number; address: string; display_name: string }>> {
  const rows = await conversations.listUsersByIds(db, ids);
  const byId = new Map(rows.filter((r) => r.disabled === 0).map((r) => [r.id, r]));
  const missing = ids.find((id) => !byId.has(id));
  if (missing !== undefined) throw new CooError(ErrorCode.USER_UNKNOWN, `unknown user ${missing}`);
  return byId;
}

/** Every target must be someone the actor may message (the visibility rules); one query. */
export async function requireMessageable(
  deps: MessagingDeps,
  actorId: number,
  targetIds: readonly number[],
): Promise<void> {
  if (targetIds.length === 0) return;
  const allowed = await deps.policy.messageableAmong(actorId, targetIds);
  const refused = targetIds.find((id) => !allowed.has(id));
  if (refused !== undefined) {
    throw new CooError(ErrorCode.IM_NOT_ALLOWED, `you may not message user ${refused}`);
  }
}

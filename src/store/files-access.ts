import type { Executor } from './database.ts';

/** Whether the user is an active member of the conversation. */
export async function isActiveConversationMember(
  db: Executor,
  userId: number,
  conversationId: number,
): Promise<boolean> {
  const row = await db
    .selectFrom('conversation_members')
    .select('user_id')
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .where('active', '=', 1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether the user sent the memo or is one of its recipients. */
export async function isMemoParticipant(db: Executor, userId: number, memoId: number): Promise<boolean> {
  const sent = await db
    .selectFrom('memos')
    .select('id')
    .where('id', '=', memoId)
    .where('sender_id', '=', userId)
    .executeTakeFirst();
  if (sent) return true;
  const received = await db
    .selectFrom('memo_recipients')
    .select('memo_id')
    .where('memo_id', '=', memoId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return received !== undefined;
}

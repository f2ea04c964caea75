import { sql, type Insertable, type Selectable } from 'kysely';
import type { Executor, Tx } from './database.ts';
import { prepareQuery } from './prepared-query.ts';
import type { ConversationMemberTable, ConversationTable } from './schema-conversations.ts';

/** The SQL of conversations and their members. Messages are in conversations-messages.ts. */

export type ConversationRow = Selectable<ConversationTable>;
export type NewConversationRow = Omit<Insertable<ConversationTable>, 'id'>;
export type MemberRow = Selectable<ConversationMemberTable>;

/** A member with the directory fields a client shows. */
export interface MemberWithUser extends MemberRow {
  address: string;
  display_name: string;
}

export function insertConversation(tx: Tx, row: NewConversationRow): Promise<ConversationRow> {
  return tx.insertInto('conversations').values(row).returningAll().executeTakeFirstOrThrow();
}

// Every chat message runs these: they are prepared (prepared-query.ts).
const conversationById = prepareQuery((db, p: { id: number }) =>
  db.selectFrom('conversations').selectAll().where('id', '=', p.id),
);
const advanceChanges = prepareQuery((db, p: { id: number }) =>
  db
    .updateTable('conversations')
    .set({ change_seq: sql<number>`change_seq + 1` })
    .where('id', '=', p.id)
    .returningAll(),
);
const advanceForMessage = prepareQuery((db, p: { id: number; at: number }) =>
  db
    .updateTable('conversations')
    .set({
      change_seq: sql<number>`change_seq + 1`,
      last_seq: sql<number>`last_seq + 1`,
      last_message_at: p.at,
    })
    .where('id', '=', p.id)
    .returningAll(),
);
const memberOf = prepareQuery((db, p: { conversationId: number; userId: number }) =>
  db
    .selectFrom('conversation_members')
    .selectAll()
    .where('conversation_id', '=', p.conversationId)
    .where('user_id', '=', p.userId),
);
const activeMembersOfOne = prepareQuery((db, p: { conversationId: number }) =>
  activeMembersQuery(db).where('m.conversation_id', '=', p.conversationId),
);
const moveReadSeq = prepareQuery(
  (db, p: { conversationId: number; userId: number; seq: number; changeSeq: number }) =>
    db
      .updateTable('conversation_members')
      .set({ read_seq: p.seq, change_seq: p.changeSeq })
      .where('conversation_id', '=', p.conversationId)
      .where('user_id', '=', p.userId)
      .where('read_seq', '<', p.seq),
);

export function findConversation(db: Executor, id: number): Promise<ConversationRow | undefined> {
  return conversationById.takeFirst(db, { id });
}

export function findDirectConversation(
  db: Executor,
  directKey: string,
): Promise<ConversationRow | undefined> {
  return db.selectFrom('conversations').selectAll().where('direct_key', '=', directKey).executeTakeFirst();
}

/**
 * Takes the conversation's next change number, and with `message` its next
 * message seq too. Being an UPDATE it locks the row until commit (PostgreSQL;
 * SQLite holds the write lock from BEGIN IMMEDIATE), so the changes of one
 * conversation commit in the order of their numbers. Undefined when there is
 * no such conversation.
 */
export function advanceConversation(
  tx: Tx,
  id: number,
  message?: { at: number },
): Promise<ConversationRow | undefined> {
  return message
    ? advanceForMessage.takeFirst(tx, { id, at: message.at })
    : advanceChanges.takeFirst(tx, { id });
}

export async function updateConversation(
  tx: Tx,
  id: number,
  patch: { title?: string; owner_id?: number | null },
): Promise<void> {
  await tx.updateTable('conversations').set(patch).where('id', '=', id).execute();
}

/** Adds members, or makes former members members again (their read marker is kept). */
export async function upsertMembers(
  tx: Tx,
  conversationId: number,
  userIds: readonly number[],
  joinedAt: number,
  changeSeq: number,
): Promise<void> {
  if (userIds.length === 0) return;
  await tx
    .insertInto('conversation_members')
    .values(
      userIds.map((userId) => ({
        conversation_id: conversationId,
        user_id: userId,
        active: 1,
        joined_at: joinedAt,
        read_seq: 0,
        change_seq: changeSeq,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['conversation_id', 'user_id'])
        .doUpdateSet({ active: 1, joined_at: joinedAt, change_seq: changeSeq }),
    )
    .execute();
}

export async function deactivateMembers(
  tx: Tx,
  conversationId: number,
  userIds: readonly number[],
  changeSeq: number,
): Promise<void> {
  if (userIds.length === 0) return;
  await tx
    .updateTable('conversation_members')
    .set({ active: 0, change_seq: changeSeq })
    .where('conversation_id', '=', conversationId)
    .where('user_id', 'in', userIds)
    .execute();
}

export function findMember(
  db: Executor,
  conversationId: number,
  userId: number,
): Promise<MemberRow | undefined> {
  return memberOf.takeFirst(db, { conversationId, userId });
}

/** The active members of some conversations, in the order they joined. */
export function listActiveMembers(
  db: Executor,
  conversationIds: readonly number[],
): Promise<MemberWithUser[]> {
  const [only] = conversationIds;
  if (only === undefined) return Promise.resolve([]);
  // One conversation (every message sent) is the prepared query; a list is built each time.
  if (conversationIds.length === 1) return activeMembersOfOne.rows(db, { conversationId: only });
  return activeMembersQuery(db).where('m.conversation_id', 'in', conversationIds).execute();
}

function activeMembersQuery(db: Executor) {
  return db
    .selectFrom('conversation_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .selectAll('m')
    .select(['u.address', 'u.display_name'])
    .where('m.active', '=', 1)
    .orderBy('m.conversation_id')
    .orderBy('m.joined_at')
    .orderBy('m.user_id');
}

/**
 * Moves a read marker forward only. Returns false (and changes nothing) when
 * it is already at or past seq.
 */
export async function advanceReadSeq(
  tx: Tx,
  conversationId: number,
  userId: number,
  seq: number,
  changeSeq: number,
): Promise<boolean> {
  return (await moveReadSeq.affected(tx, { conversationId, userId, seq, changeSeq })) > 0;
}

/** The conversations a user is an active member of, latest activity first. */
export function listConversationsOfUser(db: Executor, userId: number): Promise<ConversationRow[]> {
  return db
    .selectFrom('conversations as c')
    .innerJoin('conversation_members as m', 'm.conversation_id', 'c.id')
    .selectAll('c')
    .where('m.user_id', '=', userId)
    .where('m.active', '=', 1)
    .orderBy(sql`coalesce(c.last_message_at, c.created_at)`, 'desc')
    .orderBy('c.id', 'desc')
    .execute();
}

/**
 * Messages from others after the user's read marker, not deleted, per
 * conversation (only those with at least one appear).
 */
export async function countUnread(
  db: Executor,
  userId: number,
  conversationIds?: readonly number[],
): Promise<Map<number, number>> {
  if (conversationIds?.length === 0) return new Map();
  let query = db
    .selectFrom('conversation_members as m')
    .innerJoin('messages as msg', (join) =>
      join
        .onRef('msg.conversation_id', '=', 'm.conversation_id')
        .onRef('msg.seq', '>', 'm.read_seq')
        .onRef('msg.sender_id', '<>', 'm.user_id'),
    )
    .select('m.conversation_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('m.user_id', '=', userId)
    .where('m.active', '=', 1)
    .where('msg.deleted_at', 'is', null)
    .groupBy('m.conversation_id');
  if (conversationIds) query = query.where('m.conversation_id', 'in', conversationIds);
  const rows = await query.execute();
  return new Map(rows.map((r) => [r.conversation_id, Number(r.n)]));
}

/** Every membership of a user, current and former, with the conversation's change counter: what a sync starts from. */
export function listMembershipsForSync(
  db: Executor,
  userId: number,
): Promise<{ conversation_id: number; active: number; member_change_seq: number; change_seq: number }[]> {
  return db
    .selectFrom('conversation_members as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select(['m.conversation_id', 'm.active', 'm.change_seq as member_change_seq', 'c.change_seq'])
    .where('m.user_id', '=', userId)
    .execute();
}

/** The directory fields chats need of some users (unknown ids are simply missing). */
export function listUsersByIds(
  db: Executor,
  ids: readonly number[],
): Promise<{ id: number; address: string; display_name: string; disabled: number }[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('users')
    .select(['id', 'address', 'display_name', 'disabled'])
    .where('id', 'in', ids)
    .execute();
}

import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor, Tx } from './database.ts';
import { prepareQuery } from './prepared-query.ts';
import type { MessageTable } from './schema-conversations.ts';

/** The SQL of chat messages. */

export type MessageRow = Selectable<MessageTable>;
export type NewMessageRow = Omit<Insertable<MessageTable>, 'id'>;
export type MessagePatch = Pick<
  Updateable<MessageTable>,
  'text' | 'attachments' | 'mentions' | 'edited_at' | 'deleted_at' | 'change_seq'
>;

// Every chat message runs this: it is prepared (prepared-query.ts).
const insertRow = prepareQuery((db, p: Required<NewMessageRow>) =>
  db
    .insertInto('messages')
    .values({
      conversation_id: p.conversation_id,
      seq: p.seq,
      sender_id: p.sender_id,
      client_id: p.client_id,
      text: p.text,
      attachments: p.attachments,
      mentions: p.mentions,
      sent_at: p.sent_at,
      edited_at: p.edited_at,
      deleted_at: p.deleted_at,
      created_change_seq: p.created_change_seq,
      change_seq: p.change_seq,
    })
    .returningAll(),
);

export function insertMessage(tx: Tx, row: NewMessageRow): Promise<MessageRow> {
  return insertRow.takeFirstOrThrow(tx, {
    ...row,
    client_id: row.client_id ?? null,
    edited_at: row.edited_at ?? null,
    deleted_at: row.deleted_at ?? null,
  });
}

export function findMessageBySeq(
  db: Executor,
  conversationId: number,
  seq: number,
): Promise<MessageRow | undefined> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('seq', '=', seq)
    .executeTakeFirst();
}

export function findMessageByClientId(
  db: Executor,
  conversationId: number,
  senderId: number,
  clientId: string,
): Promise<MessageRow | undefined> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('sender_id', '=', senderId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
}

export async function updateMessage(tx: Tx, id: number, patch: MessagePatch): Promise<MessageRow> {
  return tx.updateTable('messages').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** A page of history, newest first: seq below `before` (all when undefined). */
export function listMessagesBefore(
  db: Executor,
  conversationId: number,
  before: number | undefined,
  limit: number,
): Promise<MessageRow[]> {
  let query = db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId);
  if (before !== undefined) query = query.where('seq', '<', before);
  return query.orderBy('seq', 'desc').limit(limit).execute();
}

/**
 * Messages changed (sent, edited, deleted) after change `after` and sent at
 * or before change `sentUpTo`: the newest `limit` of them, in change order.
 */
export async function listMessagesChanged(
  db: Executor,
  conversationId: number,
  after: number,
  sentUpTo: number,
  limit: number,
): Promise<MessageRow[]> {
  const rows = await db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('change_seq', '>', after)
    .where('created_change_seq', '<=', sentUpTo)
    .orderBy('change_seq', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse();
}

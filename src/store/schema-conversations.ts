import type { Generated } from 'kysely';

/** Chats: conversations, members, messages, read markers. */
export interface ConversationTables {
  conversations: ConversationTable;
  conversation_members: ConversationMemberTable;
  messages: MessageTable;
}

/**
 * Every change to a conversation (a message, an edit, a read marker, a
 * member, a title) first increments `change_seq` on this row, which locks it
 * until commit, and stamps the rows it touches with the new value. Changes of
 * one conversation therefore commit in counter order, and a client's sync
 * cursor (per conversation) can never skip a change still in flight.
 */
export interface ConversationTable {
  id: Generated<number>;
  /** 'direct' | 'group'. */
  kind: string;
  /** '' for a 1:1. */
  title: string;
  owner_id: number | null;
  /** "lowUserId:highUserId" for a 1:1, unique, so a pair has exactly one; null for a group. */
  direct_key: string | null;
  /** The seq of the newest message. */
  last_seq: number;
  change_seq: number;
  created_by: number;
  created_at: number;
  last_message_at: number | null;
}

/** Members, current and former: a row stays (active 0) after leaving, so a sync can tell them. */
export interface ConversationMemberTable {
  conversation_id: number;
  user_id: number;
  active: number;
  /** When the user last joined; the owner passes to the earliest. */
  joined_at: number;
  read_seq: number;
  /** The conversation's change_seq when this row last changed (joined, left, read marker). */
  change_seq: number;
}

export interface MessageTable {
  id: Generated<number>;
  conversation_id: number;
  seq: number;
  sender_id: number;
  /** The sender's retry key; unique per conversation and sender. */
  client_id: string | null;
  text: string;
  /** JSON array of attachment descriptions. */
  attachments: string;
  /** JSON array of mentioned user ids. */
  mentions: string;
  sent_at: number;
  edited_at: number | null;
  deleted_at: number | null;
  /** The conversation's change_seq when the message was sent, and when it last changed. */
  created_change_seq: number;
  change_seq: number;
}

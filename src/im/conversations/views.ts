import type {
  Conversation,
  ConversationKind,
  Message,
  MessageAttachment,
} from '../../protocol/im/conversations.ts';
import type { ConversationRow, MemberWithUser } from '../../store/conversations.ts';
import type { MessageRow } from '../../store/conversations-messages.ts';

/** Rows as they travel on the wire. */

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: row.seq,
    senderId: row.sender_id,
    clientId: row.client_id,
    text: row.text,
    attachments: parseJsonArray<MessageAttachment>(row.attachments),
    mentions: parseJsonArray<number>(row.mentions),
    sentAt: row.sent_at,
    editedAt: row.edited_at,
    deletedAt: row.deleted_at,
  };
}

/** `members`: this conversation's active members, in the order they joined. */
export function toConversation(
  row: ConversationRow,
  members: readonly MemberWithUser[],
  unread?: number,
): Conversation {
  const conversation: Conversation = {
    id: row.id,
    kind: row.kind as ConversationKind,
    title: row.title,
    ownerId: row.owner_id,
    members: members.map((m) => ({
      userId: m.user_id,
      address: m.address,
      displayName: m.display_name,
      readSeq: m.read_seq,
    })),
    lastSeq: row.last_seq,
    createdAt: row.created_at,
    lastMessageAt: row.last_message_at,
  };
  if (unread !== undefined) conversation.unread = unread;
  return conversation;
}

/** Groups member rows (ordered by conversation) by conversation id. */
export function membersByConversation(rows: readonly MemberWithUser[]): Map<number, MemberWithUser[]> {
  const map = new Map<number, MemberWithUser[]>();
  for (const row of rows) {
    const list = map.get(row.conversation_id) ?? [];
    list.push(row);
    map.set(row.conversation_id, list);
  }
  return map;
}

/** JSON columns are written only by us; a damaged one reads as empty rather than failing a whole page. */
function parseJsonArray<T>(text: string): T[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? (value as T[]) : [];
  } catch {
    return [];
  }
}

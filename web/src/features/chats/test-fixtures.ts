import type { Conversation, Message } from '../../../../src/protocol/im/conversations.ts';

/** Conversations and messages for the chat tests: user 1 is "me", user 2 the other member. */
export function conversation(id: number, change: Partial<Conversation> = {}): Conversation {
  return {
    id,
    kind: 'group',
    title: '',
    ownerId: 1,
    members: [
      { userId: 1, address: 'taro@example.com', displayName: '山田 太郎', readSeq: 0 },
      { userId: 2, address: 'hanako@example.com', displayName: '田中 花子', readSeq: 0 },
    ],
    lastSeq: 0,
    createdAt: 1000,
    lastMessageAt: null,
    ...change,
  };
}

export function message(seq: number, change: Partial<Message> = {}): Message {
  return {
    id: 100 + seq,
    conversationId: 1,
    seq,
    senderId: 2,
    clientId: null,
    text: `message ${seq}`,
    attachments: [],
    mentions: [],
    sentAt: 10_000 + seq,
    editedAt: null,
    deletedAt: null,
    ...change,
  };
}

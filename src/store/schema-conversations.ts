/** Chats: conversations, members, messages, read markers. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ConversationTables {}

/**
 * Frames of the chat area: 1:1 and group conversations, their messages,
 * typing indicators and read markers. Documented with an example of every
 * frame in docs/protocol/conversations.md. Times are ms since the epoch.
 */

/** Limits a client can check before sending; the server enforces them. */
export const CONVERSATION_LIMITS = {
  /** Characters (code points) of one message's text. */
  messageChars: 10_000,
  /** Characters of a group title. */
  titleChars: 200,
  /** People added in one `conversation.create` or `conversation.add` (besides the creator). */
  membersPerRequest: 500,
  /** Files attached to one message. */
  attachmentsPerMessage: 20,
  /** Characters of a `clientId`. */
  clientIdChars: 100,
  /** Explicit mentions in one message. */
  mentionsPerMessage: 100,
  /** Default and largest page of `message.history` (and the REST history route). */
  historyPageDefault: 50,
  historyPageMax: 200,
  /** A member's `typing` is relayed at most once per this many ms per conversation; more are dropped. */
  typingIntervalMs: 3_000,
  /** Messages a reconnecting client gets per conversation in one sync; older changes are left to `message.history`. */
  syncMessagesPerConversation: 200,
} as const;

export type ConversationKind = 'direct' | 'group';

export interface ConversationMember {
  userId: number;
  address: string;
  displayName: string;
  /** The highest seq this member has read (0: nothing). */
  readSeq: number;
}

/** A conversation as its members see it. */
export interface Conversation {
  id: number;
  kind: ConversationKind;
  /** The group's title; '' for a 1:1 (clients show the other person's name). */
  title: string;
  /** The group's owner (may remove members); null for a 1:1 or a group nobody is left in. */
  ownerId: number | null;
  /** Current members, in the order they joined. */
  members: ConversationMember[];
  /** The seq of the newest message (0: none yet). */
  lastSeq: number;
  createdAt: number;
  lastMessageAt: number | null;
  /**
   * Messages from others after the asking user's read marker, not deleted.
   * Present in answers and in sync frames (which are per user); absent in
   * events that go to every member alike.
   */
  unread?: number;
}

/** Files attached to a message, as the files area describes them. */
export interface MessageAttachment {
  id: string;
  name: string;
  size: number;
  mimeType: string;
  sha256: string;
  hasPreview: boolean;
}

export interface Message {
  id: number;
  conversationId: number;
  /** 1, 2, 3… per conversation, without gaps, in commit order. */
  seq: number;
  senderId: number;
  /** The sender's retry key, echoed; null when none was given. */
  clientId: string | null;
  /** '' once deleted. */
  text: string;
  attachments: MessageAttachment[];
  /** Users mentioned (by `@address` in the text or in `mentions`), members only. */
  mentions: number[];
  sentAt: number;
  editedAt: number | null;
  /** Set once the sender deleted it: the message stays as a tombstone (no text, no files). */
  deletedAt: number | null;
}

// ---------------------------------------------------------------- requests

/**
 * `conversation.create` → Conversation (with `unread`). A `direct`
 * conversation takes exactly one other user and is unique per pair: asking
 * again answers the existing one. A `group` takes a title and any number of
 * others (none is fine: add them later); the creator is its owner.
 */
export interface ConversationCreateRequest {
  t: 'conversation.create';
  id: number;
  kind: ConversationKind;
  userIds: number[];
  title?: string;
}

/** `conversation.rename` → Conversation. Any member of a group may rename it. */
export interface ConversationRenameRequest {
  t: 'conversation.rename';
  id: number;
  conversationId: number;
  title: string;
}

/** `conversation.add` → Conversation. Any member of a group may add people they may message. */
export interface ConversationAddRequest {
  t: 'conversation.add';
  id: number;
  conversationId: number;
  userIds: number[];
}

/** `conversation.remove` → Conversation. Only the owner removes others; everyone may `leave`. */
export interface ConversationRemoveRequest {
  t: 'conversation.remove';
  id: number;
  conversationId: number;
  userIds: number[];
}

/** `conversation.leave` → `{}`. An owner who leaves passes ownership to the longest-standing member. */
export interface ConversationLeaveRequest {
  t: 'conversation.leave';
  id: number;
  conversationId: number;
}

/** `conversation.list` → ConversationListResult: the caller's conversations, latest activity first. */
export interface ConversationListRequest {
  t: 'conversation.list';
  id: number;
}
export interface ConversationListResult {
  conversations: Conversation[];
}

/**
 * `message.send` → Message. With a `clientId`, a retry after a lost answer
 * returns the first message instead of sending twice.
 */
export interface MessageSendRequest {
  t: 'message.send';
  id: number;
  conversationId: number;
  text: string;
  /** Ids of finished uploads (files area). */
  attachments?: string[];
  /** People to notify besides those written as `@address` in the text. */
  mentions?: number[];
  clientId?: string;
}

/** `message.edit` → Message. The sender only; not once deleted. */
export interface MessageEditRequest {
  t: 'message.edit';
  id: number;
  conversationId: number;
  seq: number;
  text: string;
}

/** `message.delete` → Message (the tombstone). The sender only; deleting twice is fine. */
export interface MessageDeleteRequest {
  t: 'message.delete';
  id: number;
  conversationId: number;
  seq: number;
}

/** `message.history` → MessageHistoryResult: newest first, before `before` (default: from the newest). */
export interface MessageHistoryRequest {
  t: 'message.history';
  id: number;
  conversationId: number;
  before?: number;
  limit?: number;
}
export interface MessageHistoryResult {
  messages: Message[];
  /** True when older messages remain: ask again with `before` = the last seq. */
  hasMore: boolean;
}

/** `typing` → `{sent}`; usually sent without `id`. Relayed to the other members' sessions only. */
export interface TypingRequest {
  t: 'typing';
  id?: number;
  conversationId: number;
}

/** `read` → ReadResult. Moves the caller's read marker forward (never back) to `seq`. */
export interface ReadRequest {
  t: 'read';
  id?: number;
  conversationId: number;
  seq: number;
}
export interface ReadResult {
  readSeq: number;
  unread: number;
}

// ---------------------------------------------------------------- events

/** A new message, to every member's sessions but the sending one. */
export interface MessageEvent {
  t: 'message';
  message: Message;
}

/** A message was edited; carries its new state. */
export interface MessageEditedEvent {
  t: 'message.edited';
  message: Message;
}

/** A message was deleted; carries the tombstone. */
export interface MessageDeletedEvent {
  t: 'message.deleted';
  message: Message;
}

/** What happened to a conversation; `synced` is a sync's "here is its current state". */
export type ConversationChange = 'created' | 'renamed' | 'added' | 'removed' | 'left' | 'synced';

/**
 * A conversation changed. Goes to its members and to those who just left it
 * or were removed (who find themselves missing from `members`).
 */
export interface ConversationEvent {
  t: 'conversation';
  change: ConversationChange;
  conversation: Conversation;
  /** Who made the change (absent for `synced`). */
  byUserId?: number;
  /** Whom an `added`, `removed` or `left` change concerns. */
  userIds?: number[];
  /**
   * In sync only: more changes of this conversation were missed than one
   * sync sends; reload it with `message.history`.
   */
  truncated?: boolean;
}

/** Someone is typing; show it for a few seconds. Not stored. */
export interface TypingEvent {
  t: 'typing';
  conversationId: number;
  userId: number;
}

/** A member's read marker moved (to every member, so "read by" can be shown). */
export interface ReadEvent {
  t: 'read';
  conversationId: number;
  userId: number;
  seq: number;
}

/** The receiver was mentioned in this message (besides the `message` event). */
export interface MentionEvent {
  t: 'mention';
  message: Message;
}

/** The cursor of the `conversations` sync source: per conversation, the last change the client saw. */
export interface ConversationSyncCursor {
  conversations: Record<string, number>;
}

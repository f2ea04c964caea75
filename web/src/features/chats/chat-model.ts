import type { Conversation, Message } from '../../../../src/protocol/im/conversations.ts';

/**
 * The pure part of the chat state: how the conversation list is ordered and
 * named, how unread counts and read markers move, and how pages and events
 * merge into one conversation's timeline. No DOM and no connection, so it is
 * tested with node:test directly.
 */

/** A conversation as the list shows it. */
export interface ConversationEntry {
  conversation: Conversation;
  /** The logged-in user's unread count (kept even when an event carries none). */
  unread: number;
  /** The newest message; undefined until fetched, null when there is none. */
  lastMessage: Message | null | undefined;
}

/** What one conversation's loaded history looks like: a contiguous run of seqs ending at the newest. */
export interface Timeline {
  /** Ascending by seq, no gaps. */
  messages: Message[];
  /** Older messages remain on the server. */
  hasMore: boolean;
  /** A page is being fetched. */
  loading: boolean;
}

export const EMPTY_TIMELINE: Timeline = { messages: [], hasMore: true, loading: false };

export function activityOf(conversation: Conversation): number {
  return conversation.lastMessageAt ?? conversation.createdAt;
}

/** Latest activity first; ties broken by id so the order is stable. */
export function compareEntries(a: ConversationEntry, b: ConversationEntry): number {
  return activityOf(b.conversation) - activityOf(a.conversation) || b.conversation.id - a.conversation.id;
}

/**
 * The name to show: a group's title, else the other members' names; a 1:1
 * shows the other person. '' when nothing fits (a group of one, untitled).
 */
export function conversationTitle(conversation: Conversation, meId: number): string {
  if (conversation.kind === 'group' && conversation.title.trim() !== '') return conversation.title;
  const others = conversation.members.filter((m) => m.userId !== meId);
  return others.map((m) => m.displayName).join(', ');
}

export function otherMember(conversation: Conversation, meId: number) {
  return conversation.kind === 'direct' ? conversation.members.find((m) => m.userId !== meId) : undefined;
}

export function isMember(conversation: Conversation, userId: number): boolean {
  return conversation.members.some((m) => m.userId === userId);
}

export function readSeqOf(conversation: Conversation, userId: number): number {
  return conversation.members.find((m) => m.userId === userId)?.readSeq ?? 0;
}

/** A member's marker moved (it never moves back). */
export function withReadSeq(conversation: Conversation, userId: number, seq: number): Conversation {
  let changed = false;
  const members = conversation.members.map((m) => {
    if (m.userId !== userId || m.readSeq >= seq) return m;
    changed = true;
    return { ...m, readSeq: seq };
  });
  return changed ? { ...conversation, members } : conversation;
}

/**
 * Who has read a message: in a 1:1 whether the other person has, in a
 * group how many members besides the sender.
 */
export function readBy(conversation: Conversation, message: Message): number {
  return conversation.members.filter((m) => m.userId !== message.senderId && m.readSeq >= message.seq).length;
}

/**
 * The unread count after my marker moved to `seq`, counted from the
 * timeline when it holds everything after the marker, else estimated
 * (never more than the messages left after it).
 */
export function unreadAfter(
  entry: ConversationEntry,
  seq: number,
  meId: number,
  timeline: Timeline | undefined,
): number {
  const lastSeq = entry.conversation.lastSeq;
  if (seq >= lastSeq) return 0;
  const first = timeline?.messages[0];
  const last = timeline?.messages.at(-1);
  if (timeline && first && last && first.seq <= seq + 1 && last.seq >= lastSeq) {
    return timeline.messages.filter((m) => m.seq > seq && m.senderId !== meId && m.deletedAt === null).length;
  }
  return Math.min(entry.unread, lastSeq - seq);
}

/** The later of two states of one message: a deletion wins, then the later edit. */
export function laterState(a: Message, b: Message): Message {
  if (a.deletedAt !== null && b.deletedAt === null) return a;
  if (b.deletedAt !== null && a.deletedAt === null) return b;
  if ((a.editedAt ?? 0) > (b.editedAt ?? 0)) return a;
  return b;
}

/** Merges messages into an ascending run, the later state of each seq kept. */
export function mergeMessages(existing: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return existing as Message[];
  const last = existing.at(-1);
  // The common case, a new message after the newest: no re-sort.
  if (incoming.length === 1 && incoming[0] && (!last || incoming[0].seq > last.seq)) {
    return [...existing, incoming[0]];
  }
  const bySeq = new Map<number, Message>();
  for (const message of existing) bySeq.set(message.seq, message);
  for (const message of incoming) {
    const known = bySeq.get(message.seq);
    bySeq.set(message.seq, known ? laterState(known, message) : message);
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * A live message for a loaded timeline. A message that would leave a gap
 * (something was missed) answers null: the timeline must be reloaded.
 */
export function appendLive(timeline: Timeline, message: Message): Timeline | null {
  const last = timeline.messages.at(-1);
  if (last && message.seq > last.seq + 1) return null;
  if (!last && timeline.hasMore && message.seq > 1) return null;
  return { ...timeline, messages: mergeMessages(timeline.messages, [message]) };
}

/** An edit or deletion: only touches a message the timeline holds. */
export function replaceMessage(timeline: Timeline, message: Message): Timeline {
  const index = findIndexBySeq(timeline.messages, message.seq);
  if (index < 0) return timeline;
  const current = timeline.messages[index];
  if (!current) return timeline;
  const next = laterState(current, message);
  if (next === current) return timeline;
  const messages = timeline.messages.slice();
  messages[index] = next;
  return { ...timeline, messages };
}

/** Binary search over an ascending run. */
export function findIndexBySeq(messages: readonly Message[], seq: number): number {
  let low = 0;
  let high = messages.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const value = messages[middle]?.seq ?? 0;
    if (value === seq) return middle;
    if (value < seq) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/** The conversation after one of its messages arrived. */
export function withMessage(conversation: Conversation, message: Message): Conversation {
  if (message.seq <= conversation.lastSeq && conversation.lastMessageAt !== null) return conversation;
  return {
    ...conversation,
    lastSeq: Math.max(conversation.lastSeq, message.seq),
    lastMessageAt: message.sentAt,
  };
}

/** Two messages are on the same "run" (one header): same sender, within five minutes. */
export function continuesRun(previous: Message | undefined, message: Message): boolean {
  return (
    previous !== undefined &&
    previous.senderId === message.senderId &&
    message.sentAt - previous.sentAt < 5 * 60_000 &&
    new Date(previous.sentAt).toDateString() === new Date(message.sentAt).toDateString()
  );
}

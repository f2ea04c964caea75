/**
 * Frames of memos: a message with an optional subject to several people or
 * whole org units at once, with a read confirmation per recipient that the
 * sender can see. Documented with an example of every frame in
 * docs/protocol/memos.md. Times are ms since the epoch.
 */
import type { MessageAttachment } from './conversations.ts';

export const MEMO_LIMITS = {
  /** Characters (code points) of the subject. */
  subjectChars: 200,
  /** Characters of the body. */
  bodyChars: 20_000,
  /** Explicit user targets and unit targets in one memo (each). */
  targetsPerMemo: 1_000,
  /** Recipients after units are expanded. */
  recipientsPerMemo: 20_000,
  attachmentsPerMemo: 20,
  /** Default and largest page of `memo.inbox` and `memo.sent`. */
  pageDefault: 50,
  pageMax: 200,
  /** Frames one sync sends; past it the client syncs again from the cursor it got. */
  syncFrames: 500,
} as const;

export interface MemoPerson {
  userId: number;
  address: string;
  displayName: string;
}

interface MemoBase {
  id: number;
  sender: MemoPerson;
  /** '' when none was given. */
  subject: string;
  body: string;
  attachments: MessageAttachment[];
  sentAt: number;
  recipientCount: number;
}

/** A memo in a recipient's inbox. */
export interface InboxMemo extends MemoBase {
  /** When this recipient confirmed reading it; null: not yet. */
  readAt: number | null;
}

/** A memo in its sender's sent box. */
export interface SentMemo extends MemoBase {
  readCount: number;
}

// ---------------------------------------------------------------- requests

/**
 * `memo.send` → SentMemo. Recipients are the given users plus the people of
 * the given units and every unit below them, expanded now (someone who joins
 * the unit later does not get it), without the sender. Every user named in
 * `userIds` must be one the sender may message (else IM_NOT_ALLOWED); from
 * units, those the sender may not message are left out silently, and a memo
 * left with nobody fails with IM_NOT_ALLOWED.
 */
export interface MemoSendRequest {
  t: 'memo.send';
  id: number;
  subject?: string;
  body: string;
  to: { userIds?: number[]; unitIds?: number[] };
  /** Ids of finished uploads (files area). */
  attachments?: string[];
}

/** `memo.read` → InboxMemo: the caller confirms reading; the first time counts, later ones change nothing. */
export interface MemoReadRequest {
  t: 'memo.read';
  id: number;
  memoId: number;
}

/** `memo.inbox` → MemoInboxResult: newest first, ids below `before`. */
export interface MemoInboxRequest {
  t: 'memo.inbox';
  id: number;
  before?: number;
  limit?: number;
}
export interface MemoInboxResult {
  memos: InboxMemo[];
  hasMore: boolean;
  /** Memos in the whole inbox not confirmed yet. */
  unread: number;
}

/** `memo.sent` → MemoSentResult: newest first, ids below `before`. */
export interface MemoSentRequest {
  t: 'memo.sent';
  id: number;
  before?: number;
  limit?: number;
}
export interface MemoSentResult {
  memos: SentMemo[];
  hasMore: boolean;
}

/** `memo.receipts` → MemoReceipts: the sender only. */
export interface MemoReceiptsRequest {
  t: 'memo.receipts';
  id: number;
  memoId: number;
}
export interface MemoReceipts {
  memoId: number;
  /** In the order they read it. */
  read: (MemoPerson & { readAt: number })[];
  /** By address. */
  unread: MemoPerson[];
}

// ---------------------------------------------------------------- events

/**
 * A memo arrived (`box: 'inbox'`, to each recipient) or was sent from
 * another device of the sender (`box: 'sent'`). In a sync, the current state
 * of every memo that changed: upsert it by id.
 */
export type MemoEvent =
  { t: 'memo'; box: 'inbox'; memo: InboxMemo } | { t: 'memo'; box: 'sent'; memo: SentMemo };

/** A recipient confirmed reading: to the sender, and to the reader's other sessions. */
export interface MemoReadEvent {
  t: 'memo.read';
  memoId: number;
  userId: number;
  readAt: number;
  /** How many recipients have read it now; in the frame to the sender only. */
  readCount?: number;
}

/** In a sync: more changes were missed than one sync sends; sync again from the new cursor. */
export interface MemoSyncMoreEvent {
  t: 'memo.more';
}

/** The cursor of the `memos` sync source: the last change of this user's memos the client saw. */
export interface MemoSyncCursor {
  seq: number;
}

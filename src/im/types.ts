import type { z } from 'zod';
import type { DeviceKind, ServerFrame } from '../protocol/im/frames.ts';
import type { Executor } from '../store/database.ts';

/** One logged-in WebSocket connection of one device. */
export interface ImSession {
  /** Random id of this connection. */
  id: string;
  userId: number;
  address: string;
  deviceId: number;
  deviceKind: DeviceKind;
  deviceName: string;
  remote: string;
}

/** What a handler sees of the connection it serves. */
export interface ImConnection {
  readonly session: ImSession;
  /** Queues a frame to this connection only (respecting back-pressure). */
  send(frame: ServerFrame): void;
}

/**
 * One request type of the protocol. The gateway validates the whole frame
 * with `schema` (a zod object whose `t` is a literal), calls `handle` and
 * answers `{t:'ok', re, data}` with what it returns, or `{t:'error'}` with the
 * code of a thrown CooError. Handlers never write SQL: they call services.
 */
export interface FrameHandler<S extends z.ZodType = z.ZodType> {
  type: string;
  schema: S;
  handle(connection: ImConnection, frame: z.output<S>): Promise<unknown>;
}

/** Defines a handler with its frame type inferred from the schema. */
export function frameHandler<S extends z.ZodType>(handler: FrameHandler<S>): FrameHandler {
  return handler;
}

/**
 * Sends frames to every open session of some users, on every node: the
 * gateway of each node delivers to its own connections (over the event bus).
 */
export interface UserDelivery {
  toUsers(
    userIds: readonly number[],
    frame: ServerFrame,
    options?: { exceptSession?: string },
  ): Promise<void>;
}

/**
 * A part of the state a client mirrors (messages, memos, read markers…).
 * After a reconnect the client sends the cursor it last got from each
 * source; the source answers only what changed since, and a new cursor.
 */
export interface SyncSource {
  name: string;
  sync(session: ImSession, cursor: unknown): Promise<{ frames: ServerFrame[]; cursor: unknown }>;
}

/**
 * Told when a connection logs in and when it closes (for presence, typing
 * state, watch lists). `closed` runs after a dropped connection too.
 */
export interface SessionLifecycle {
  opened(connection: ImConnection): Promise<void>;
  closed(connection: ImConnection): Promise<void>;
}

/**
 * Decides who may see and message whom, from the admins' visibility rules.
 * The one policy function every entry point asks: directory browsing and
 * search, presence, starting a chat, adding a member, memo targets, REST.
 */
export interface VisibilityPolicy {
  canSee(viewerId: number, targetId: number): Promise<boolean>;
  canMessage(senderId: number, targetId: number): Promise<boolean>;
  /** The subset of targetIds the viewer may see (one query, not one per target). */
  visibleAmong(viewerId: number, targetIds: readonly number[]): Promise<Set<number>>;
  /** The subset of targetIds the sender may message. */
  messageableAmong(senderId: number, targetIds: readonly number[]): Promise<Set<number>>;
}

/** Whether a user has an open session on any node (from presence). */
export interface OnlineCheck {
  isOnline(userId: number): boolean;
}

/** Sends Web Push notifications to every subscribed device of users who have no open session. */
export interface PushNotifier {
  notify(
    userIds: readonly number[],
    notification: { title: string; body: string; url?: string; tag?: string },
  ): Promise<void>;
}

export interface AttachmentInfo {
  id: string;
  name: string;
  size: number;
  mimeType: string;
  sha256: string;
  /** Set for images: a smaller rendition for previews. */
  hasPreview: boolean;
}

/**
 * Files attach to a message or memo: attaching checks that the uploader owns
 * the finished uploads and records where they are shown, so that only the
 * members of that conversation (or the memo's sender and recipients) may
 * download them.
 */
export interface AttachmentRegistry {
  attach(
    fileIds: readonly string[],
    uploaderId: number,
    target: { conversationId: number } | { memoId: number },
    /** The caller's transaction, so the attachment commits with the message or memo (a memo's id exists only inside it). */
    db?: Executor,
  ): Promise<AttachmentInfo[]>;
}

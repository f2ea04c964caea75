import type { z } from 'zod';
import type { DeviceKind, ServerFrame } from '../protocol/im/frames.ts';

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
  return handler as unknown as FrameHandler;
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

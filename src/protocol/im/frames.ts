/**
 * The envelope of the messenger protocol: JSON text frames over one
 * WebSocket at /ws. Every frame has a type `t`. A client request carries a
 * number `id`; the server answers it with `ok` (`re` = that id, `data` = the
 * result) or `error` (with a stable code). Events the server pushes carry no
 * `re`. Each area's frames are in their own file beside this one; the whole
 * protocol, with examples, is in docs/protocol.md.
 */
import type { ErrorCode } from '../errors.ts';

export interface ClientRequest {
  t: string;
  /** Chosen by the client, echoed as `re` in the answer; omitted for fire-and-forget frames. */
  id?: number;
}

export interface OkFrame<T = unknown> {
  t: 'ok';
  re: number;
  data: T;
}

export interface ErrorFrame {
  t: 'error';
  /** The request this answers; absent for an error not tied to a request (e.g. a frame that is not JSON). */
  re?: number;
  code: ErrorCode | ImErrorCode;
  message: string;
}

/** Any frame the server sends: answers and events. */
export interface ServerFrame {
  t: string;
  [field: string]: unknown;
}

/** Error codes of the messenger on top of those in errors.ts. */
export const ImErrorCode = {
  /** The frame is not JSON, has no known `t`, or fails its schema. */
  IM_BAD_FRAME: 'IM_BAD_FRAME',
  /** The first frame must be `hello`. */
  IM_NOT_AUTHENTICATED: 'IM_NOT_AUTHENTICATED',
  /** The visibility rules forbid this (seeing, messaging, adding). */
  IM_NOT_ALLOWED: 'IM_NOT_ALLOWED',
  /** Too many frames too fast: slow down. */
  IM_RATE_LIMITED: 'IM_RATE_LIMITED',
  IM_CONVERSATION_UNKNOWN: 'IM_CONVERSATION_UNKNOWN',
  IM_MESSAGE_UNKNOWN: 'IM_MESSAGE_UNKNOWN',
  IM_MEMO_UNKNOWN: 'IM_MEMO_UNKNOWN',
  IM_FILE_UNKNOWN: 'IM_FILE_UNKNOWN',
  /** The resume token is unknown, revoked or expired: log in with the password. */
  IM_RESUME_INVALID: 'IM_RESUME_INVALID',
} as const;
export type ImErrorCode = (typeof ImErrorCode)[keyof typeof ImErrorCode];

/** Devices a person logs in from; the single-login policy counts per kind. */
export type DeviceKind = 'desktop' | 'mobile' | 'web';

/** Presence states a person can be in; `offline` only when no device is connected. */
export type PresenceState = 'online' | 'away' | 'busy' | 'meeting' | 'out' | 'offline';

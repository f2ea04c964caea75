/**
 * Frames of the session area: logging in (`hello`), devices and their resume
 * tokens, logging out, the single-login policy's notice, and resync after a
 * reconnect. Documented with examples in docs/protocol/session.md.
 */
import type { DeviceKind } from './frames.ts';

/** How the client proves who it is: the password, or the resume token of a remembered device. */
export type HelloAuth =
  { kind: 'password'; login: string; password: string } | { kind: 'resume'; token: string };

export interface DeviceDescription {
  kind: DeviceKind;
  /** Shown in device lists, e.g. "Firefox on Linux", "Taro's iPhone". 1–100 characters. */
  name: string;
}

/** The first frame of every connection. */
export interface HelloRequest {
  t: 'hello';
  id: number;
  auth: HelloAuth;
  /** Required with a password; with a resume token the device is known (a given name renames it). */
  device?: DeviceDescription;
  /** With a password: issue a resume token for this device, so later connections skip the password. */
  remember?: boolean;
}

export interface HelloResult {
  /** `admin`: the user may open the administration console (and its REST API with this device's token). */
  user: { id: number; address: string; name: string; admin: boolean };
  device: { id: number; kind: DeviceKind; name: string };
  /** The id of this connection's session (as in `exceptSession` of deliveries). */
  session: string;
  /**
   * Only on a password login with `remember`: logs this device in again
   * (`auth.kind: 'resume'`) and is its bearer token for the client REST API.
   * Shown this once; store it like a password.
   */
  resumeToken?: string;
  /**
   * Only on a password login without `remember`: the bearer token for the
   * client REST API while this session lasts. It cannot resume.
   */
  sessionToken?: string;
}

/** A device as listed to its owner and to administrators. */
export interface DeviceInfo {
  id: number;
  kind: DeviceKind;
  name: string;
  /** ms since the epoch. */
  createdAt: number;
  lastSeenAt: number;
  /** The client IP of the last login from this device. */
  lastRemote: string;
  /** Has a resume token (a remembered device). */
  remembered: boolean;
  /** When the resume token stops working unless used before; null for devices not remembered. */
  expiresAt: number | null;
  /** Only in `session.devices`: the device of the connection asking. */
  current?: boolean;
}

/** `{t:'session.devices', id}` → `{devices}`: the caller's active devices. */
export interface SessionDevicesRequest {
  t: 'session.devices';
  id: number;
}
export interface SessionDevicesResult {
  devices: DeviceInfo[];
}

/** `{t:'session.revoke', id, deviceId}` → `{}`: revokes one of the caller's devices and closes its sessions. */
export interface SessionRevokeRequest {
  t: 'session.revoke';
  id: number;
  deviceId: number;
}

/** `{t:'bye', id}` → `{}`, then the server closes the connection with 1000. Forgets a device that is not remembered. */
export interface ByeRequest {
  t: 'bye';
  id?: number;
}

/** Event: a newer login replaced this session (single-login policy); the server then closes with 4001. */
export interface SessionReplacedEvent {
  t: 'session.replaced';
  by: { kind: DeviceKind; name: string };
}

/** Event: this device was revoked; the server then closes with 4002. */
export interface SessionRevokedEvent {
  t: 'session.revoked';
}

/**
 * Event: the account was disabled or its validity period ended while this
 * session was open; the server then closes with 4003. `message` says why, as
 * a login attempt would.
 */
export interface SessionEndedEvent {
  t: 'session.ended';
  code: 'AUTH_DISABLED' | 'AUTH_EXPIRED' | 'AUTH_NOT_YET_VALID';
  message: string;
}

/**
 * `{t:'sync', id, cursors}` → `{cursors}`: each area's sync source sends the
 * frames the client missed since its cursor, then the answer carries the new
 * cursors. An absent cursor means "from now": the source sends nothing old.
 */
export interface SyncRequest {
  t: 'sync';
  id: number;
  cursors?: Record<string, unknown>;
}
export interface SyncResult {
  cursors: Record<string, unknown>;
}

/** The admin setting `im.login-policy`. */
export const LOGIN_POLICIES = ['single', 'one-per-kind', 'multiple'] as const;
export type LoginPolicy = (typeof LOGIN_POLICIES)[number];

export const DEVICE_KINDS = ['desktop', 'mobile', 'web'] as const satisfies readonly DeviceKind[];

import type { DeviceDescription, HelloResult } from '../../../src/protocol/im/session.ts';
import { setApiToken } from './api.ts';
import { Connection, type ConnectionStatus } from './connection.ts';
import { createStore } from './store.ts';

/**
 * Who is logged in on this page, and their connection. "Remember this
 * device" keeps the resume token in localStorage, so the next visit logs in
 * without the password; otherwise nothing is stored, and the password stays
 * in memory only to reconnect while the page is open.
 */
export interface Session {
  connection: Connection;
  user: HelloResult['user'];
  device: HelloResult['device'];
}

const SAVED_KEY = 'coo.device';

interface SavedDevice {
  address: string;
  token: string;
  /** Who logged in, so the app can open before the server answers (offline, or slow). */
  user?: Session['user'];
  device?: Session['device'];
}

export const sessionStore = createStore<Session | null>(null);

/** Why the last session ended, for the login screen (a replaced session, a revoked device…). */
export const endedStore = createStore<Ended | null>(null);

export function wsUrl(location: Location = window.location): string {
  return `${location.protocol === 'http:' ? 'ws' : 'wss'}://${location.host}/ws`;
}

/** "Chrome on Windows", "Safari on iPhone". */
export function describeDevice(userAgent: string = navigator.userAgent): DeviceDescription {
  const mobile = /Android|iPhone|iPad|Mobile/i.test(userAgent);
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : 'Browser';
  const system = /iPhone/.test(userAgent)
    ? 'iPhone'
    : /iPad/.test(userAgent)
      ? 'iPad'
      : /Android/.test(userAgent)
        ? 'Android'
        : /Windows/.test(userAgent)
          ? 'Windows'
          : /Mac OS X/.test(userAgent)
            ? 'macOS'
            : /Linux/.test(userAgent)
              ? 'Linux'
              : 'unknown system';
  return { kind: mobile ? 'mobile' : 'web', name: `${browser} on ${system}` };
}

export function savedDevice(): SavedDevice | null {
  try {
    const raw = localStorage.getItem(SAVED_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<SavedDevice>;
    if (typeof parsed.address !== 'string' || typeof parsed.token !== 'string') return null;
    const saved: SavedDevice = { address: parsed.address, token: parsed.token };
    if (typeof parsed.user?.id === 'number' && typeof parsed.device?.id === 'number') {
      saved.user = parsed.user;
      saved.device = parsed.device;
    }
    return saved;
  } catch {
    return null;
  }
}

function saveDevice(device: SavedDevice | null): void {
  try {
    if (device) localStorage.setItem(SAVED_KEY, JSON.stringify(device));
    else localStorage.removeItem(SAVED_KEY);
  } catch {
    // Storage unavailable: the device is simply not remembered.
  }
}

type Ended = Extract<ConnectionStatus, { kind: 'ended' }>;

/** A login that did not succeed: `ended` says why (its code and message). */
export class LoginFailed extends Error {
  readonly ended: Ended;

  constructor(ended: Ended) {
    super(ended.message);
    this.name = 'LoginFailed';
    this.ended = ended;
  }
}

/** Ends the page's session when its connection ends for good (replaced, revoked, signed out…). */
function watchEnd(connection: Connection): void {
  connection.status.subscribe(() => {
    const status = connection.status.get();
    if (status.kind === 'ended' && sessionStore.get()?.connection === connection) {
      if (status.reason !== 'signed-out') endedStore.set(status);
      if (status.reason === 'revoked' || status.reason === 'auth-failed') saveDevice(null);
      sessionStore.set(null);
      setApiToken(null);
    }
  });
}

/** Keeps the remembered device's copy of who logged in up to date with each hello. */
function rememberOnHello(connection: Connection, address: string): void {
  connection.status.subscribe(() => {
    const status = connection.status.get();
    if (status.kind !== 'online') return;
    const saved = savedDevice();
    const token = status.hello.resumeToken ?? saved?.token;
    if (token) saveDevice({ address, token, user: status.hello.user, device: status.hello.device });
    const current = sessionStore.get();
    if (
      current?.connection === connection &&
      JSON.stringify(current.user) !== JSON.stringify(status.hello.user)
    ) {
      sessionStore.set({ ...current, user: status.hello.user, device: status.hello.device });
    }
  });
}

/** Resolves once the first hello is answered: the session, or the reason it ended. */
function connect(connection: Connection, remember: boolean, address: string): Promise<Session> {
  return new Promise((resolve, reject) => {
    const unsubscribe = connection.status.subscribe(() => {
      const status = connection.status.get();
      if (status.kind === 'online') {
        unsubscribe();
        const session = { connection, user: status.hello.user, device: status.hello.device };
        setApiToken(status.hello.resumeToken ?? status.hello.sessionToken ?? savedDevice()?.token ?? null);
        resolve(session);
      } else if (status.kind === 'ended') {
        unsubscribe();
        reject(new LoginFailed(status));
      }
    });
    if (remember) rememberOnHello(connection, address);
    watchEnd(connection);
    connection.start();
  });
}

/** Logs in with address and password. Rejects with LoginFailed (its status says why). */
export async function logIn(address: string, password: string, remember: boolean): Promise<Session> {
  endedStore.set(null);
  const connection = new Connection({
    url: wsUrl(),
    auth: { kind: 'password', login: address, password },
    device: describeDevice(),
    remember,
  });
  const session = await connect(connection, remember, address);
  sessionStore.set(session);
  return session;
}

/**
 * Logs in again with the remembered device, if any. When the device knows
 * who logged in, the app opens at once (offline it shows its banner and
 * keeps trying); otherwise it waits for the server. Null when there is no
 * remembered device or it no longer works.
 */
export async function resumeSaved(): Promise<Session | null> {
  const saved = savedDevice();
  if (!saved) return null;
  const connection = new Connection({
    url: wsUrl(),
    auth: { kind: 'resume', token: saved.token },
    device: describeDevice(),
    remember: true,
    onResumeToken: (token) => {
      if (token === null) saveDevice(null);
    },
  });
  if (saved.user && saved.device) {
    const session: Session = { connection, user: saved.user, device: saved.device };
    sessionStore.set(session);
    setApiToken(saved.token);
    rememberOnHello(connection, saved.address);
    watchEnd(connection);
    connection.start();
    return session;
  }
  try {
    const session = await connect(connection, true, saved.address);
    sessionStore.set(session);
    return session;
  } catch {
    saveDevice(null);
    return null;
  }
}

export async function logOut(): Promise<void> {
  const session = sessionStore.get();
  saveDevice(null);
  endedStore.set(null);
  await session?.connection.signOut();
  sessionStore.set(null);
  setApiToken(null);
}

/**
 * When and how to tell the user about something new, kept free of the DOM
 * so it can be tested by itself. A notice is a direct message, a mention or
 * a memo from someone else; plain group messages only raise the unread
 * count, as in Slack's and Mattermost's defaults.
 *
 * - The user is looking at it (the tab is visible and shows that
 *   conversation, or the memo inbox for a memo): nothing.
 * - The tab is hidden and the browser may show notifications: a system
 *   notification.
 * - Otherwise: an in-app toast (none when the route shows it already).
 */

export type NoticeKind = 'message' | 'mention' | 'memo';

export interface Notice {
  /** One toast per conversation (`c:12`) or memo (`m:88`): newer notices replace it. */
  key: string;
  kind: NoticeKind;
  senderId: number;
  senderName: string;
  /** The group's title for a mention in a group, the subject of a memo; '' when none. */
  where: string;
  /** A one-line preview of the text ('' for files only: see `files`). */
  preview: string;
  /** Files attached, shown when there is no text. */
  files: number;
  /** The app route that shows it: ['chats', '12'] or ['memos', '88']. */
  route: string[];
}

export type Permission = NotificationPermission | 'unsupported';

export type Delivery = 'none' | 'toast' | 'system';

export interface Situation {
  /** The hash route now, e.g. '#/chats/12'. */
  hash: string;
  /** document.visibilityState === 'visible'. */
  visible: boolean;
  permission: Permission;
}

/** The route's segments: '#/chats/12' → ['chats', '12']. */
export function segmentsOf(hash: string): string[] {
  const path = hash.replace(/^#\/?/, '');
  if (path === '') return [];
  return path.split('/').map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  });
}

/** Whether the route shows what the notice is about. */
export function isShowing(hash: string, notice: Pick<Notice, 'kind' | 'route'>): boolean {
  const route = segmentsOf(hash);
  if (notice.kind === 'memo') {
    // The inbox lists a new memo at its top, and the memo's own page shows it.
    const area = route[0];
    const sub = route[1];
    return area === 'memos' && (sub === undefined || sub === 'inbox' || sub === notice.route[1]);
  }
  return route[0] === notice.route[0] && route[1] === notice.route[1];
}

export function deliveryOf(notice: Pick<Notice, 'kind' | 'route'>, situation: Situation): Delivery {
  if (!situation.visible && situation.permission === 'granted') return 'system';
  // A hidden tab without permission: a toast waits for the user's return, unless the
  // conversation itself is what they will see then.
  return isShowing(situation.hash, notice) ? 'none' : 'toast';
}

const PREVIEW_CHARS = 140;

/** The text on one line, cut to a preview length (by code points, so no emoji is split). */
export function previewOf(text: string, max = PREVIEW_CHARS): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const chars = [...line];
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join('')}…`;
}

export interface Toast extends Notice {
  /** How many notices this toast stands for (several messages of one conversation). */
  count: number;
  /** Changes with each notice merged in, so the toast's timer starts again. */
  version: number;
}

export const MAX_TOASTS = 3;

/**
 * The toast list with a notice added: merged into the toast of the same
 * conversation or memo (a mention stays a mention), newest first, at most
 * MAX_TOASTS.
 */
export function withNotice(toasts: readonly Toast[], notice: Notice, max = MAX_TOASTS): Toast[] {
  const earlier = toasts.find((toast) => toast.key === notice.key);
  const merged: Toast = earlier
    ? {
        ...notice,
        kind: earlier.kind === 'mention' && notice.kind === 'message' ? 'mention' : notice.kind,
        count: earlier.count + 1,
        version: earlier.version + 1,
      }
    : { ...notice, count: 1, version: 0 };
  return [merged, ...toasts.filter((toast) => toast.key !== notice.key)].slice(0, max);
}

/** The toasts left once the user is looking at `hash` (what it shows needs no toast). */
export function withoutShown(toasts: readonly Toast[], hash: string): readonly Toast[] {
  const left = toasts.filter((toast) => !isShowing(hash, toast));
  return left.length === toasts.length ? toasts : left;
}

/**
 * The app's hash for a URL of this app ('https://coo.example/#/chats/12' →
 * '#/chats/12'); null for another origin or a URL with no route.
 */
export function routeOfAppUrl(url: string, origin: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url, origin);
  } catch {
    return null;
  }
  if (parsed.origin !== origin || !parsed.hash.startsWith('#/')) return null;
  return parsed.hash;
}

/** The build id in the entry script's name ('/assets/index-B1x2Y3z4.js' → 'B1x2Y3z4'); 'dev' without one. */
export function buildIdOf(scriptUrl: string): string {
  return /-([A-Za-z0-9_-]{6,})\.js(?:\?.*)?$/.exec(scriptUrl)?.[1] ?? 'dev';
}

/** The bytes of a base64url text (the VAPID key), for PushManager.subscribe(). */
export function bytesOfBase64url(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function sameBytes(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.byteLength) return false;
  const view = new Uint8Array(a);
  return view.every((byte, i) => byte === b[i]);
}

import { useSyncExternalStore } from 'react';

/**
 * Hash routes (`#/chats/12`, `#/admin/users`): they work from any path the
 * server serves index.html on, and survive a reload. A route is its list of
 * segments.
 */
function currentSegments(): string {
  return window.location.hash.replace(/^#\/?/, '');
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

export function useRoute(): string[] {
  const path = useSyncExternalStore(subscribe, currentSegments);
  return path === '' ? [] : path.split('/').map(decodeURIComponent);
}

export function navigate(...segments: Array<string | number>): void {
  window.location.hash = `#/${segments.map((s) => encodeURIComponent(String(s))).join('/')}`;
}

export function href(...segments: Array<string | number>): string {
  return `#/${segments.map((s) => encodeURIComponent(String(s))).join('/')}`;
}

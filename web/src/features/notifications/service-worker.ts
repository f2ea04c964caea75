/**
 * Registers /sw.js (web/public/sw.js): the offline app shell, Web Push and
 * notification clicks. The worker's URL carries the build (the hash in the
 * entry script's name), so a new deployment installs a new worker with a
 * fresh cache. Development builds register nothing: a cached shell would
 * fight hot reload.
 */
import { buildIdOf, routeOfAppUrl } from './notification-rules.ts';

export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  listenForOpenRequests();
  const start = () => {
    navigator.serviceWorker
      .register(`/sw.js?build=${encodeURIComponent(buildIdOf(import.meta.url))}`, { scope: '/' })
      .catch((error: unknown) => console.warn('the service worker could not be registered', error));
  };
  // After the page has loaded: the worker's first install fetches the shell again.
  if (document.readyState === 'complete') start();
  else window.addEventListener('load', start, { once: true });
}

/** A clicked notification asks an open tab to show its conversation (sw.js `coo.open`). */
function listenForOpenRequests(): void {
  navigator.serviceWorker.addEventListener('message', (event: MessageEvent) => {
    const data = event.data as { t?: unknown; url?: unknown } | null;
    if (data?.t !== 'coo.open' || typeof data.url !== 'string') return;
    const hash = routeOfAppUrl(data.url, window.location.origin);
    if (hash !== null) window.location.hash = hash;
  });
  navigator.serviceWorker.startMessages();
}

/** The worker's registration, if one is installed for this page (none in development). */
export async function serviceWorkerRegistration(): Promise<ServiceWorkerRegistration | null> {
  if (!('serviceWorker' in navigator)) return null;
  const registration = await navigator.serviceWorker.getRegistration('/');
  if (!registration) return null;
  return navigator.serviceWorker.ready;
}

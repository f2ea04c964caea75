/*
 * Coo's service worker (scope /). Plain JavaScript: it is served as is, not
 * built. It does three things:
 *
 * 1. Keeps the app shell (index.html and the hashed files it loads) so the
 *    app opens without a network and shows that it is offline. Navigations
 *    to the app go to the network first (a new version is seen at once) and
 *    fall back to the cached shell; /assets/* are immutable, so the cache
 *    answers them first. The API, the WebSocket and anything else are never
 *    cached: messages must be fresh, and they are synced on reconnect.
 * 2. Shows Web Push notifications (docs/protocol/push.md).
 * 3. Opens the conversation or memo a clicked notification is about.
 *
 * The page registers it as /sw.js?build=<hash of the entry script>, so each
 * deployment installs a new worker with a cache of its own, and the caches
 * of earlier builds are deleted when it takes over.
 */
const BUILD = new URL(self.location.href).searchParams.get('build') || 'dev';
const CACHE_PREFIX = 'coo-shell-';
const CACHE = CACHE_PREFIX + BUILD;
const SHELL = '/';
/** Served with the shell but not content-hashed: kept, and refreshed in the background. */
const STATIC_FILES = [
  '/manifest.webmanifest',
  '/icon.svg',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/apple-touch-icon.png',
  '/icons/badge-96.png',
];
const NETWORK_TIMEOUT_MS = 5000;

/** `/assets/…` files named in an index.html: its script, styles and preloads. */
function assetsOf(html) {
  const found = new Set();
  for (const match of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) found.add(match[1]);
  return [...found];
}

async function cacheShell(cache, response) {
  const html = await response.clone().text();
  await cache.put(SHELL, response);
  const missing = [];
  for (const asset of assetsOf(html)) {
    if (!(await cache.match(asset))) missing.push(asset);
  }
  await cache.addAll(missing);
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const response = await fetch(SHELL, { cache: 'no-cache' });
      if (!response.ok) throw new Error(`the app shell answered ${response.status}`);
      await cacheShell(cache, response);
      // The icons are a nicety: a missing one must not keep the worker from installing.
      await Promise.all(STATIC_FILES.map((file) => cache.add(file).catch(() => undefined)));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

function isNeverCached(url) {
  return (
    url.pathname.startsWith('/api/') ||
    url.pathname === '/ws' ||
    url.pathname.startsWith('/ws/') ||
    url.pathname === '/sw.js' ||
    url.pathname === '/healthz' ||
    url.pathname === '/metrics'
  );
}

/** fetch() that gives up after a while, so a server that hangs does not hang the app's start. */
function fetchWithTimeout(request) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('network timeout')), NETWORK_TIMEOUT_MS);
    fetch(request).then(
      (response) => {
        clearTimeout(timer);
        resolve(response);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function shellFirstFromNetwork(event) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetchWithTimeout(event.request);
    if (response.ok && response.type === 'basic') event.waitUntil(cacheShell(cache, response.clone()));
    return response;
  } catch (error) {
    const cached = await cache.match(SHELL);
    if (cached) return cached;
    throw error;
  }
}

async function assetFromCache(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  // Lazy chunks are cached on first use, so a page opened once works offline.
  if (response.ok) {
    const cache = await caches.open(CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

async function staticFile(event) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(event.request);
  const fresh = fetch(event.request).then(async (response) => {
    if (response.ok) await cache.put(event.request, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(fresh.catch(() => undefined));
    return cached;
  }
  return fresh;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || isNeverCached(url)) return;
  if (request.mode === 'navigate') {
    if (url.pathname === '/' || url.pathname === '/index.html')
      event.respondWith(shellFirstFromNetwork(event));
    return;
  }
  if (url.pathname.startsWith('/assets/')) event.respondWith(assetFromCache(request));
  else if (STATIC_FILES.includes(url.pathname)) event.respondWith(staticFile(event));
});

/** The app's hash route for a push payload's `url` ("/#/chats/42"); anything else opens the app. */
function appUrlOf(url) {
  if (typeof url === 'string' && url.startsWith('/#/')) return url;
  return '/';
}

function notificationOf(payload) {
  const title = typeof payload.title === 'string' && payload.title !== '' ? payload.title : 'Coo';
  const options = {
    body: typeof payload.body === 'string' ? payload.body : '',
    icon: '/icons/icon-192.png',
    badge: '/icons/badge-96.png',
    data: { url: appUrlOf(payload.url) },
    timestamp: Date.now(),
  };
  if (typeof payload.tag === 'string' && payload.tag !== '') {
    options.tag = payload.tag;
    // A newer message of the same conversation alerts again, not just replaces silently.
    options.renotify = true;
  }
  return { title, options };
}

self.addEventListener('push', (event) => {
  let payload;
  try {
    payload = event.data ? event.data.json() : {};
  } catch {
    payload = { body: event.data ? event.data.text() : '' };
  }
  const { title, options } = notificationOf(payload);
  // userVisibleOnly: every push must show a notification, else the browser shows one of its own.
  event.waitUntil(self.registration.showNotification(title, options));
});

/** Focuses a tab of the app and takes it to `target`, or opens one. */
async function openApp(target) {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const tab = windows.find((client) => client.url === target) ?? windows[0];
  if (!tab) {
    await self.clients.openWindow(target);
    return;
  }
  // A hash change in the running app, not a reload: the page listens for this message.
  if (tab.url !== target) tab.postMessage({ t: 'coo.open', url: target });
  await tab.focus();
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = event.notification.data && event.notification.data.url;
  const target = new URL(typeof url === 'string' ? url : '/', self.location.origin).href;
  event.waitUntil(openApp(target));
});

// The push service renewed or dropped the subscription: subscribe again with the same key.
// The page sends the new one to the server at its next start (it does so at every login).
self.addEventListener('pushsubscriptionchange', (event) => {
  const options = event.oldSubscription && event.oldSubscription.options;
  if (!options || !options.applicationServerKey) return;
  event.waitUntil(
    self.registration.pushManager
      .subscribe({ userVisibleOnly: true, applicationServerKey: options.applicationServerKey })
      .catch(() => undefined),
  );
});

/**
 * Live presence for every feature. Public exports (keep them stable):
 *
 *   useWatchPresence(session, userIds)
 *       Watches these people while the component is mounted. Call it for
 *       whoever is on screen (a list's visible rows, a conversation's
 *       members). References are counted over all components: a person is
 *       watched once, unwatched a few seconds after nobody needs them, in
 *       batched frames, and watched again after a reconnect.
 *   usePresence(session, userId, fallback?) → { state, text }
 *       The person's live presence; until the registry knows them,
 *       `fallback` (e.g. the person as a directory answer carried them),
 *       else `offline` and ''. Watch them with useWatchPresence, or the
 *       value is only what an answer last said.
 *   usePresenceVersion(session, enabled?)
 *       A number that changes with anyone's presence, to recount over many.
 *   presenceRegistry(session)
 *       The registry itself, for code outside components: `seed(people)` with
 *       people a directory answer carried, `adopt(people, mark)` after a
 *       `directory.unit` with `watch: true`.
 *   <PresenceDot session userId /> or <PresenceDot state="busy" />
 *       in ./PresenceDot.tsx: the coloured dot with an accessible label
 *       ("Online", "オンライン"); usePresenceLabel() there names a state.
 *
 * One registry per connection; the logic lives in presence-registry.ts.
 */
import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import type { PresenceEntry } from '../../../../src/protocol/im/presence.ts';
import type { Connection } from '../../lib/connection.ts';
import type { Session } from '../../lib/session.ts';
import { OFFLINE, PresenceRegistry, type Presence, type PresenceTransport } from './presence-registry.ts';

export type { Presence, PersonPresence } from './presence-registry.ts';
export { OFFLINE } from './presence-registry.ts';

const registries = new WeakMap<Connection, PresenceRegistry>();

function transportOf(connection: Connection): PresenceTransport {
  return {
    request: (t, body) => connection.request(t, body),
    onDelta: (handler) =>
      connection.on('presence', (frame) => {
        if (Array.isArray(frame.u)) handler(frame.u as PresenceEntry[]);
      }),
    isOnline: () => connection.status.get().kind === 'online',
    onStatus: (handler) => connection.status.subscribe(handler),
  };
}

export function presenceRegistry(session: Pick<Session, 'connection'>): PresenceRegistry {
  let registry = registries.get(session.connection);
  if (!registry) {
    registry = new PresenceRegistry({ transport: transportOf(session.connection) });
    registries.set(session.connection, registry);
    const status = session.connection.status;
    const stop = status.subscribe(() => {
      if (status.get().kind !== 'ended') return;
      stop();
      registries.get(session.connection)?.dispose();
      registries.delete(session.connection);
    });
  }
  return registry;
}

/** Watches these people while the component is mounted (see the header). */
export function useWatchPresence(session: Session, userIds: readonly number[]): void {
  // The list's content, not its identity, decides whether anything changes.
  const key = useMemo(() => [...new Set(userIds)].join(','), [userIds]);
  useEffect(() => {
    if (key === '') return;
    const ids = key.split(',').map(Number);
    const registry = presenceRegistry(session);
    registry.retain(ids);
    return () => registry.release(ids);
  }, [session, key]);
}

/** The person's live presence (see the header); `fallback` until the registry knows them. */
export function usePresence(
  session: Session,
  userId: number | null | undefined,
  fallback: Presence = OFFLINE,
): Presence {
  const registry = presenceRegistry(session);
  const subscribe = useCallback(
    (listener: () => void) => (userId == null ? noop : registry.subscribe(userId, listener)),
    [registry, userId],
  );
  const value = useSyncExternalStore(subscribe, () => (userId == null ? undefined : registry.get(userId)));
  return value ?? fallback;
}

/**
 * A number that changes whenever anyone's presence does: for counts over
 * many people. While `enabled` is false it never changes (and costs nothing).
 */
export function usePresenceVersion(session: Session, enabled = true): number {
  const registry = presenceRegistry(session);
  const subscribe = useCallback(
    (listener: () => void) => (enabled ? registry.subscribeAll(listener) : noop),
    [registry, enabled],
  );
  return useSyncExternalStore(subscribe, () => (enabled ? registry.version : 0));
}

const noop = () => () => undefined;

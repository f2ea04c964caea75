import { useCallback, useEffect, useRef } from 'react';
import type { PresenceEntry } from '../../../../src/protocol/im/presence.ts';
import type { Session } from '../../lib/session.ts';
import { IdleTracker } from './idle-tracker.ts';
import { localChoiceStorage, OwnStatus, type StatusChoice } from './own-status.ts';
import type { Presence } from './presence-registry.ts';
import { presenceRegistry, usePresence, useWatchPresence } from './presence-store.ts';

/** Input that shows someone is at the device. */
const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'focus'] as const;

/**
 * The user's own presence for the status menu: their merged state (watched,
 * so changes made on their other devices show too), `choose` to pick one by
 * hand, and, while mounted, auto-away from the page's inactivity and the
 * re-sending of the chosen state after a reconnect.
 */
export function useOwnStatus(session: Session): {
  presence: Presence;
  choose: (choice: StatusChoice) => Promise<Presence>;
  storedChoice: () => StatusChoice | null;
} {
  const selfId = session.user.id;
  useWatchPresence(session, [selfId]);
  const presence = usePresence(session, selfId);
  const ownRef = useRef<OwnStatus | null>(null);
  const storage = useRef(localChoiceStorage(selfId, safeLocalStorage()));

  useEffect(() => {
    const { connection } = session;
    const registry = presenceRegistry(session);
    const tracker = new IdleTracker({
      report: (idleSeconds) => connection.send('presence.activity', { idleSeconds }),
    });
    const own = new OwnStatus({
      request: (t, body) => connection.request(t, body),
      storage: storage.current,
      onMerged: (merged) => registry.seed([{ id: selfId, ...merged }]),
      idleSeconds: () => tracker.idleSeconds(),
    });
    ownRef.current = own;

    const onInput = () => tracker.input();
    const onVisibility = () => {
      if (document.visibilityState === 'visible') tracker.input();
    };
    for (const type of ACTIVITY_EVENTS)
      window.addEventListener(type, onInput, { passive: true, capture: true });
    document.addEventListener('visibilitychange', onVisibility);

    let wasOnline = false;
    const onStatus = () => {
      const online = connection.status.get().kind === 'online';
      if (online && !wasOnline) own.connected().catch(() => undefined);
      wasOnline = online;
    };
    onStatus();
    const stopStatus = connection.status.subscribe(onStatus);
    const stopDeltas = connection.on('presence', (frame) => {
      const entries = Array.isArray(frame.u) ? (frame.u as PresenceEntry[]) : [];
      const self = entries.find(([id]) => id === selfId);
      if (self) own.observed({ state: self[1], text: self[2] ?? '' });
    });

    return () => {
      tracker.stop();
      for (const type of ACTIVITY_EVENTS) window.removeEventListener(type, onInput, { capture: true });
      document.removeEventListener('visibilitychange', onVisibility);
      stopStatus();
      stopDeltas();
      if (ownRef.current === own) ownRef.current = null;
    };
  }, [session, selfId]);

  const choose = useCallback(async (choice: StatusChoice) => {
    const own = ownRef.current;
    if (!own) throw new Error('the status menu is not mounted');
    return own.choose(choice);
  }, []);
  const storedChoice = useCallback(() => storage.current.load(), []);
  return { presence, choose, storedChoice };
}

function safeLocalStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

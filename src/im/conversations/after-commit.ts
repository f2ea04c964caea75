import type { ServerFrame } from '../../protocol/im/frames.ts';
import type { ImActor, MessagingDeps } from './deps.ts';

/**
 * What happens once a change is committed: events to users' sessions and
 * push notifications. The change stands whatever happens here, so a failure
 * is logged and the caller still gets its answer; clients that missed an
 * event catch up with sync.
 */
export class AfterCommit {
  readonly #deps: MessagingDeps;

  constructor(deps: MessagingDeps) {
    this.#deps = deps;
  }

  /** Sends the frame to every session of the users except the actor's own (which gets the answer). */
  async deliver(userIds: readonly number[], frame: ServerFrame, actor?: ImActor): Promise<void> {
    if (userIds.length === 0) return;
    const options = actor?.sessionId === undefined ? undefined : { exceptSession: actor.sessionId };
    try {
      await this.#deps.delivery.toUsers(userIds, frame, options);
    } catch (error) {
      this.#deps.log.error({ err: error, frame: frame.t, users: userIds.length }, 'im: delivery failed');
    }
  }

  /**
   * A Web Push to those of the users who have no open session anywhere.
   * Started, not awaited: push services answer in their own time (seconds,
   * at worst a timeout), and the sender's answer must not wait for them.
   */
  pushToOffline(
    userIds: readonly number[],
    notification: { title: string; body: string; url?: string; tag?: string },
  ): void {
    const offline = userIds.filter((id) => !this.#deps.online.isOnline(id));
    if (offline.length === 0) return;
    let pending: Promise<void>;
    try {
      pending = this.#deps.push.notify(offline, notification);
    } catch (error) {
      pending = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    pending.catch((error: unknown) => {
      this.#deps.log.error({ err: error, users: offline.length }, 'im: push notification failed');
    });
  }
}

/** The first characters of a text, for a notification. */
export function preview(text: string, chars = 120): string {
  const points = [...text.replace(/\s+/g, ' ').trim()];
  return points.length <= chars ? points.join('') : `${points.slice(0, chars - 1).join('')}…`;
}

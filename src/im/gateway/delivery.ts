import type { EventBus, Unsubscribe } from '../../bus/event-bus.ts';
import type { Logger } from '../../log.ts';
import type { ServerFrame } from '../../protocol/im/frames.ts';
import type { UserDelivery } from '../types.ts';
import type { ConnectionRegistry } from './connection-registry.ts';

/** The bus channel every node's gateway listens on for frames to its users. */
export const DELIVERY_CHANNEL = 'im.deliver';

/** What travels on the bus: short keys, since every message to every member goes this way. */
interface DeliveryEvent {
  /** User ids. */
  u: number[];
  /** The frame. */
  f: ServerFrame;
  /** A session not to send to (the sender's own connection, which got the answer already). */
  x?: string;
}

/**
 * UserDelivery over the event bus: one publish per delivery, and every node
 * (this one included) sends the frame to its own connections of those users.
 * With one node the memory bus delivers before publish resolves.
 */
export class BusDelivery implements UserDelivery {
  readonly #bus: EventBus;
  readonly #registry: ConnectionRegistry;
  readonly #logger: Logger;
  #unsubscribe: Unsubscribe | undefined;

  constructor(deps: { bus: EventBus; registry: ConnectionRegistry; logger: Logger }) {
    this.#bus = deps.bus;
    this.#registry = deps.registry;
    this.#logger = deps.logger;
  }

  async start(): Promise<void> {
    this.#unsubscribe = await this.#bus.subscribe(DELIVERY_CHANNEL, (event) => this.#deliverLocally(event));
  }

  async stop(): Promise<void> {
    await this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  async toUsers(
    userIds: readonly number[],
    frame: ServerFrame,
    options: { exceptSession?: string } = {},
  ): Promise<void> {
    if (userIds.length === 0) return;
    const event: DeliveryEvent = { u: [...userIds], f: frame };
    if (options.exceptSession !== undefined) event.x = options.exceptSession;
    await this.#bus.publish(DELIVERY_CHANNEL, event);
  }

  #deliverLocally(event: unknown): void {
    if (!isDeliveryEvent(event)) {
      this.#logger.warn({ channel: DELIVERY_CHANNEL }, 'im: malformed delivery event ignored');
      return;
    }
    let text: string | undefined;
    for (const userId of event.u) {
      for (const connection of this.#registry.ofUser(userId)) {
        if (connection.openSession === undefined || connection.openSession.id === event.x) continue;
        text ??= JSON.stringify(event.f);
        connection.sendText(text);
      }
    }
  }
}

function isDeliveryEvent(value: unknown): value is DeliveryEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as Partial<DeliveryEvent>;
  return (
    Array.isArray(event.u) &&
    typeof event.f === 'object' &&
    event.f !== null &&
    typeof event.f.t === 'string' &&
    (event.x === undefined || typeof event.x === 'string')
  );
}

/**
 * Events (message sent, presence changed, mail arrived) travel over the bus.
 * With one node it is in memory; with several it is Redis pub/sub. Both sit
 * behind this interface, so a listener never knows which one it talks to.
 */
export interface EventBus {
  /** Sends a JSON-serialisable event to every subscriber of the channel, on every node. */
  publish(channel: string, event: unknown): Promise<void>;
  /**
   * Calls the handler for each event on the channel. Resolves once the
   * subscription is in place (events published after that are delivered);
   * the resolved function ends the subscription and is safe to call twice.
   */
  subscribe(channel: string, handler: EventHandler): Promise<Unsubscribe>;
  /** Ends every subscription and connection; publish and subscribe then fail. */
  close(): Promise<void>;
}

export type EventHandler = (event: unknown) => void;
export type Unsubscribe = () => Promise<void>;

/** Where a failure the bus isolated came from. */
export type BusErrorContext =
  | { kind: 'handler'; channel: string }
  | { kind: 'decode'; channel: string }
  | { kind: 'connection'; connection: 'publisher' | 'subscriber' };

/**
 * The bus logs nothing itself: failures it must not let escape (a throwing
 * handler, an undecodable message, a dropped Redis connection) go here.
 */
export type BusErrorHandler = (error: unknown, context: BusErrorContext) => void;

/**
 * Encodes the event as it travels over Redis. The memory bus encodes too, so
 * an event that cannot cross nodes (a BigInt, a cycle, undefined) fails on
 * one node as well, and no handler can mutate the publisher's object.
 */
export function encodeEvent(event: unknown): string {
  const text = JSON.stringify(event) as string | undefined;
  if (text === undefined) throw new TypeError('a bus event must be a JSON-serialisable value');
  return text;
}

/**
 * Decodes the event once and hands the same frozen value to every handler:
 * one handler cannot change what the next one sees.
 */
export function decodeEvent(text: string): unknown {
  return deepFreeze(JSON.parse(text));
}

function deepFreeze(value: unknown): unknown {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

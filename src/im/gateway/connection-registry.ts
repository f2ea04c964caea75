import type { GatewayConnection } from './connection.ts';

/**
 * The logged-in connections of this node, by user and by session id. Every
 * node keeps its own; deliveries and session notices reach the others over
 * the bus, and each node looks its own connections up here.
 */
export class ConnectionRegistry {
  readonly #byUser = new Map<number, Set<GatewayConnection>>();
  readonly #bySession = new Map<string, GatewayConnection>();

  add(connection: GatewayConnection): void {
    const session = connection.session;
    let set = this.#byUser.get(session.userId);
    if (!set) {
      set = new Set();
      this.#byUser.set(session.userId, set);
    }
    set.add(connection);
    this.#bySession.set(session.id, connection);
  }

  remove(connection: GatewayConnection): void {
    const session =
      connection.openSession ?? (connection.state.kind === 'closed' ? connection.state.session : undefined);
    if (!session) return;
    const set = this.#byUser.get(session.userId);
    set?.delete(connection);
    if (set?.size === 0) this.#byUser.delete(session.userId);
    if (this.#bySession.get(session.id) === connection) this.#bySession.delete(session.id);
  }

  /** This node's open connections of the user (empty when none). */
  ofUser(userId: number): ReadonlySet<GatewayConnection> {
    return this.#byUser.get(userId) ?? EMPTY;
  }

  bySession(sessionId: string): GatewayConnection | undefined {
    return this.#bySession.get(sessionId);
  }

  /** Number of logged-in connections on this node. */
  get size(): number {
    return this.#bySession.size;
  }

  /** Number of distinct users with a connection on this node. */
  get users(): number {
    return this.#byUser.size;
  }

  all(): IterableIterator<GatewayConnection> {
    return this.#bySession.values();
  }
}

const EMPTY: ReadonlySet<GatewayConnection> = new Set();

import type { EventBus, Unsubscribe } from '../../bus/index.ts';
import { fromWire, presenceBusEventSchema, toWire, type PresenceBusEvent } from './presence-bus-events.ts';
import type { PresenceSummary } from './presence-merge.ts';
import type { Timers } from './timers.ts';

export interface ClusterPresenceOptions {
  bus: EventBus;
  channel: string;
  /** This node instance: unique per process start. */
  instance: string;
  timers: Timers;
  /** How often this node says it is alive. */
  beatMs: number;
  /** A node not heard from for this long is dead: its users are dropped. */
  expireMs: number;
  /** How long a node that said goodbye still counts (its users reconnect elsewhere meanwhile). */
  graceMs: number;
  /** This node's users, for a full dump when another node asks. */
  localSummaries: () => Iterable<[number, PresenceSummary]>;
  /** Called with the users whose summaries from other nodes changed. */
  onRemoteChange: (userIds: Iterable<number>) => void;
  onError: (error: unknown, context: string) => void;
}

/** What this node knows of another node instance. */
interface RemoteInstance {
  /** Sequence number of the last event seen from it. */
  seq: number;
  lastHeard: number;
  users: Map<number, PresenceSummary>;
  /** False until a full dump arrives, and again after a gap in its sequence numbers. */
  synced: boolean;
  wantedAt: number | undefined;
  cancelDrop: (() => void) | undefined;
}

/**
 * Presence across nodes. Each node publishes the summary of its own users'
 * devices whenever one changes, and keeps the summaries the other nodes
 * published, so every node can merge a user's devices wherever they are.
 * Nodes beat on the bus; one that falls silent expires with all its users.
 */
export class ClusterPresence {
  readonly #options: ClusterPresenceOptions;
  readonly #instances = new Map<string, RemoteInstance>();
  /** userId → instance → summary: the users some other node has. */
  readonly #byUser = new Map<number, Map<string, PresenceSummary>>();
  #seq = 0;
  #unsubscribe: Unsubscribe | undefined;
  #cancelBeat: (() => void) | undefined;
  #stopped = false;

  constructor(options: ClusterPresenceOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    this.#unsubscribe = await this.#options.bus.subscribe(this.#options.channel, (event) =>
      this.#receive(event),
    );
    this.#send({ k: 'want', i: this.#options.instance, from: '*' });
    this.#beat();
  }

  /** Tells the other nodes this node is leaving, and stops listening. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#cancelBeat?.();
    for (const remote of this.#instances.values()) remote.cancelDrop?.();
    await this.#publish({ k: 'bye', i: this.#options.instance });
    await this.#unsubscribe?.();
  }

  /** Publishes a change of one of this node's users (null: none of their devices is here any more). */
  publishUser(userId: number, summary: PresenceSummary | null): void {
    this.#seq++;
    this.#send({
      k: 'user',
      i: this.#options.instance,
      s: this.#seq,
      u: userId,
      p: summary ? toWire(summary) : null,
    });
  }

  /** The summaries other nodes hold for the user. */
  remoteSummaries(userId: number): Iterable<PresenceSummary> {
    return this.#byUser.get(userId)?.values() ?? [];
  }

  /** How many other node instances this node knows of. */
  get remoteInstances(): number {
    return this.#instances.size;
  }

  #receive(raw: unknown): void {
    // Our own events come back to us; skip them before the (costlier) validation.
    if (this.#stopped || (raw as { i?: unknown } | null)?.i === this.#options.instance) return;
    const parsed = presenceBusEventSchema.safeParse(raw);
    if (!parsed.success) {
      this.#options.onError(parsed.error, 'malformed presence event on the bus');
      return;
    }
    const event = parsed.data;
    switch (event.k) {
      case 'want':
        if (event.from === '*' || event.from === this.#options.instance) this.#sendFull();
        return;
      case 'user': {
        const remote = this.#heard(event.i);
        if (remote.synced && event.s !== remote.seq + 1) remote.synced = false;
        remote.seq = event.s;
        this.#setUser(event.i, remote, event.u, event.p ? fromWire(event.p) : null);
        this.#options.onRemoteChange([event.u]);
        this.#wantIfUnsynced(event.i, remote);
        return;
      }
      case 'beat': {
        const remote = this.#heard(event.i);
        if (event.s !== remote.seq) remote.synced = false;
        this.#wantIfUnsynced(event.i, remote);
        return;
      }
      case 'full':
        this.#applyFull(event);
        return;
      case 'bye': {
        const remote = this.#instances.get(event.i);
        if (remote && !remote.cancelDrop) {
          remote.cancelDrop = this.#options.timers.after(this.#options.graceMs, () => this.#drop(event.i));
        }
        return;
      }
      default:
        event satisfies never;
    }
  }

  #heard(instance: string): RemoteInstance {
    let remote = this.#instances.get(instance);
    if (!remote) {
      remote = {
        seq: 0,
        lastHeard: 0,
        users: new Map(),
        synced: false,
        wantedAt: undefined,
        cancelDrop: undefined,
      };
      this.#instances.set(instance, remote);
    }
    remote.lastHeard = this.#options.timers.now();
    return remote;
  }

  #applyFull(event: Extract<PresenceBusEvent, { k: 'full' }>): void {
    const remote = this.#heard(event.i);
    const next = new Map(event.users.map(([userId, wire]) => [userId, fromWire(wire)]));
    const changed: number[] = [];
    for (const userId of remote.users.keys()) {
      if (!next.has(userId)) {
        this.#setUser(event.i, remote, userId, null);
        changed.push(userId);
      }
    }
    for (const [userId, summary] of next) {
      this.#setUser(event.i, remote, userId, summary);
      changed.push(userId);
    }
    remote.seq = event.s;
    remote.synced = true;
    remote.wantedAt = undefined;
    this.#options.onRemoteChange(changed);
  }

  #setUser(instance: string, remote: RemoteInstance, userId: number, summary: PresenceSummary | null): void {
    if (summary) {
      remote.users.set(userId, summary);
      let holders = this.#byUser.get(userId);
      if (!holders) this.#byUser.set(userId, (holders = new Map()));
      holders.set(instance, summary);
    } else {
      remote.users.delete(userId);
      const holders = this.#byUser.get(userId);
      holders?.delete(instance);
      if (holders?.size === 0) this.#byUser.delete(userId);
    }
  }

  /** Forgets a node instance and every user it held. */
  #drop(instance: string): void {
    const remote = this.#instances.get(instance);
    if (!remote) return;
    remote.cancelDrop?.();
    this.#instances.delete(instance);
    const users = [...remote.users.keys()];
    for (const userId of users) this.#setUser(instance, remote, userId, null);
    this.#options.onRemoteChange(users);
  }

  /** Asks for a full dump, at most once per beat interval while one is awaited. */
  #wantIfUnsynced(instance: string, remote: RemoteInstance): void {
    if (remote.synced) return;
    const now = this.#options.timers.now();
    if (remote.wantedAt !== undefined && now - remote.wantedAt < this.#options.beatMs) return;
    remote.wantedAt = now;
    this.#send({ k: 'want', i: this.#options.instance, from: instance });
  }

  #sendFull(): void {
    const users = [...this.#options.localSummaries()].map(
      ([userId, summary]) => [userId, toWire(summary)] as [number, ReturnType<typeof toWire>],
    );
    this.#send({ k: 'full', i: this.#options.instance, s: this.#seq, users });
  }

  /** Beats, and expires the instances that stopped beating. */
  #beat(): void {
    if (this.#stopped) return;
    this.#send({ k: 'beat', i: this.#options.instance, s: this.#seq });
    const now = this.#options.timers.now();
    for (const [instance, remote] of this.#instances) {
      if (now - remote.lastHeard > this.#options.expireMs) this.#drop(instance);
    }
    this.#cancelBeat = this.#options.timers.after(this.#options.beatMs, () => this.#beat());
  }

  #send(event: PresenceBusEvent): void {
    void this.#publish(event);
  }

  /**
   * A lost publish is not retried: the sequence number has moved on, so the
   * next beat shows the gap and the other nodes ask for a full dump.
   */
  async #publish(event: PresenceBusEvent): Promise<void> {
    try {
      await this.#options.bus.publish(this.#options.channel, event);
    } catch (error) {
      this.#options.onError(error, `publishing a presence ${event.k} event`);
    }
  }
}

import type { Readable } from 'node:stream';
import type { Aedes, Client } from 'aedes';
import type { Logger } from 'pino';

/** Bounds on the persistent sessions (CleanSession = 0) of the embedded broker. */
export interface SessionLimits {
  /**
   * QoS 1 and 2 messages kept for one persistent session: queued while its client is away, or sent
   * and not yet acknowledged. Past it a new message is not kept for that session (counted).
   */
  readonly maxQueued: number;
  /** How long a persistent session outlives its connection. */
  readonly expiryMs: number;
  /** Persistent sessions kept while their clients are away; past it the one away longest ends. */
  readonly maxAway: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { maxQueued: 1000, expiryMs: 3_600_000, maxAway: 200 };

/** The part of Aedes's persistence (aedes-persistence, promise style) that holds a session's messages and subscriptions. */
interface OutgoingStore {
  outgoingEnqueue(sub: { clientId: string }, packet: unknown): Promise<void>;
  outgoingEnqueueCombi(subs: { clientId: string }[], packet: unknown): Promise<void>;
  outgoingUpdate(client: { id: string }, packet: unknown): Promise<void>;
  outgoingClearMessageId(client: { id: string }, packet: unknown): Promise<unknown>;
  outgoingStream(client: { id: string }): Readable;
  cleanSubscriptions(client: { id: string }): Promise<void>;
}

/** What the sessions tell the rest: a session ended (its subscriptions go), and messages not kept. */
export interface SessionEvents {
  ended(clientId: string): void;
  dropped(n: number): void;
  away(n: number): void;
}

/**
 * Persistent sessions of the embedded broker, bounded. Aedes keeps, in memory and without limit,
 * every QoS 1 message that matches a persistent session's subscriptions while its client is away
 * (and each one sent until it is acknowledged), and keeps the session for ever. A client that
 * subscribed to `v1.1/Observations` with CleanSession = 0 and left would grow the heap by the
 * whole ingest rate until the process died. Here:
 * - a session keeps at most `maxQueued` messages (as Mosquitto's `max_queued_messages`, 1,000);
 * - it ends `expiryMs` after its client left (1 h), or earlier when more than `maxAway` are away;
 * - an anonymous client's session ends when it leaves: what it can read is public, and a session
 *   costs the server memory that no key answers for.
 * While a session is kept, its subscriptions stay in the notifier's table, so that what the client
 * missed is queued whether or not another client follows the same topic.
 */
export class PersistentSessions {
  /** Messages each session holds (queued or unacknowledged), by client id. */
  private readonly held = new Map<string, number>();
  /** Sessions whose clients are away, oldest first, with their expiry timers. */
  private readonly awaySince = new Map<string, NodeJS.Timeout>();
  private store: OutgoingStore | null = null;
  private closed = false;

  constructor(
    private readonly aedes: Aedes,
    private readonly anonymous: (client: Client) => boolean,
    private readonly events: SessionEvents,
    private readonly logger: Logger,
    private readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
  ) {
    aedes.on('client', (client) => this.connected(client));
    aedes.on('clientDisconnect', (client) => this.left(client));
  }

  /** Bounds the queues of the persistence Aedes made in `listen()` (before any client can connect). */
  bound(): void {
    const store = (this.aedes as unknown as { persistence: OutgoingStore }).persistence;
    this.store = store;
    const enqueue = store.outgoingEnqueue.bind(store);
    const combi = store.outgoingEnqueueCombi.bind(store);
    const update = store.outgoingUpdate.bind(store);
    const clear = store.outgoingClearMessageId.bind(store);
    // A message not kept still goes through the store's own call (with no session), so that it
    // takes the same turns as one kept: Aedes hands messages on to a connected client when they
    // are stored, and one that overtook another makes it drop the other as a duplicate.
    store.outgoingEnqueue = (sub, packet) => (this.take(sub.clientId) ? enqueue(sub, packet) : combi([], packet));
    store.outgoingEnqueueCombi = (subs, packet) =>
      combi(
        subs.filter((s) => this.take(s.clientId)),
        packet,
      );
    // Before it writes a QoS 1 message to a connected persistent client, Aedes records its packet id
    // on the stored copy, and takes a copy it cannot find for an error that disconnects the client.
    // One not kept (past maxQueued, as in a burst of notifications) is sent all the same.
    store.outgoingUpdate = async (client, packet) => {
      try {
        await update(client, packet);
      } catch (err) {
        if (!/no such packet/.test((err as Error).message)) throw err;
      }
    };
    store.outgoingClearMessageId = async (client, packet) => {
      const removed = await clear(client, packet);
      if (removed) this.release(client.id);
      return removed;
    };
  }

  private take(clientId: string): boolean {
    const n = this.held.get(clientId) ?? 0;
    if (n >= this.limits.maxQueued) {
      this.events.dropped(1);
      return false;
    }
    this.held.set(clientId, n + 1);
    return true;
  }

  private release(clientId: string): void {
    const n = (this.held.get(clientId) ?? 0) - 1;
    if (n > 0) this.held.set(clientId, n);
    else this.held.delete(clientId);
  }

  private connected(client: Client): void {
    const timer = this.awaySince.get(client.id);
    if (timer) {
      clearTimeout(timer);
      this.awaySince.delete(client.id);
      this.events.away(this.awaySince.size);
    }
    // A clean session replaces the one kept: Aedes dropped its subscriptions and queue.
    if (client.clean) this.events.ended(client.id);
  }

  private left(client: Client): void {
    // A new connection with the same id takes over (MQTT-3.1.4-2) right after Aedes lets this one
    // go, in the same turn: the session goes on there.
    setImmediate(() => {
      if (!this.closed && !this.connectedNow(client.id)) this.away(client);
    });
  }

  private connectedNow(clientId: string): boolean {
    return !!(this.aedes as unknown as { clients: Record<string, Client | undefined> }).clients[clientId];
  }

  private away(client: Client): void {
    if (client.clean) {
      this.events.ended(client.id);
      return;
    }
    if (this.anonymous(client)) {
      void this.end(client.id);
      return;
    }
    clearTimeout(this.awaySince.get(client.id));
    this.awaySince.delete(client.id);
    this.awaySince.set(
      client.id,
      setTimeout(() => void this.end(client.id), this.limits.expiryMs).unref(),
    );
    if (this.awaySince.size > this.limits.maxAway) {
      const [oldest] = this.awaySince.keys();
      this.logger.warn({ client: oldest, away: this.awaySince.size }, `more than ${this.limits.maxAway} persistent MQTT sessions away: the oldest ends`);
      void this.end(oldest!);
    }
    this.events.away(this.awaySince.size);
  }

  /** Ends a session whose client is away: its subscriptions, and the messages kept for it. */
  private async end(clientId: string): Promise<void> {
    const timer = this.awaySince.get(clientId);
    if (timer) clearTimeout(timer);
    this.awaySince.delete(clientId);
    this.events.away(this.awaySince.size);
    const store = this.store;
    if (!store || this.closed || this.connectedNow(clientId)) return;
    this.events.ended(clientId);
    try {
      await store.cleanSubscriptions({ id: clientId });
      for await (const packet of store.outgoingStream({ id: clientId })) await store.outgoingClearMessageId({ id: clientId }, packet);
    } catch (err) {
      this.logger.warn({ err, client: clientId }, 'persistent MQTT session not cleaned up');
    }
  }

  /** Stops the expiry timers (the broker closes). */
  close(): void {
    this.closed = true;
    for (const timer of this.awaySince.values()) clearTimeout(timer);
    this.awaySince.clear();
  }
}

import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Principal } from '../auth/roles.ts';
import { ENTITIES, type EntityName } from '../sensing/model/entities.ts';
import type { SensingService } from '../sensing/sensing.service.ts';
import { type Change, renderObservation } from './changes.ts';
import type { Ingestor } from './ingestor.ts';
import type { IngestMetrics } from './metrics.ts';
import { SerialQueue } from './serial.ts';
import type { StreamCache } from './stream-cache.ts';
import { isPublicChange, SYSTEM } from './subscriptions.ts';
import { parseCreateTopic } from './topics.ts';

export interface BridgeOptions {
  readonly url: string;
  readonly prefix: string;
  /** Stable per node (same after a restart), so the broker resumes its session and redelivers. */
  readonly nodeId: string;
  /** Parallel connections in the shared subscription group (each has its own in-flight window). */
  readonly connections?: number;
}

/** Writes on behalf of whatever the external broker let publish: its ACL is the gate. */
const BRIDGE_PRINCIPAL: Principal = { userId: 0, userName: 'mqtt-bridge', keyId: 0, role: 'operator', thingScope: null };
/** MQTT 5 user property marking our own notifications, so they are never taken for creates. */
const ORIGIN = 'cantho-origin';
/** Notification bytes waiting to be written to the external broker, past which a batch is dropped (and counted). */
const MAX_UNSENT_BYTES = 8 * 1024 * 1024;
/**
 * Changes waiting to be published to the external broker, past which a batch is dropped (and
 * counted), as the embedded broker's notifier does. Publishing three topics per Observation is
 * slower than committing telemetry: without a bound the queue grew by 15,000 changes a second
 * under `bench:ingest`'s bridge telemetry load (1.65 GiB peak RSS), and everything behind it in the
 * change hub, live push included, waited for it.
 */
const MAX_BACKLOG = 100_000;
/**
 * QoS 1 messages per connection waiting for their commit; 16 connections: 4,096 in all. Measured
 * with `npm run bench:ingest` against a Mosquitto without a queue limit: 256 gave 28,326 obs/s and
 * 719 MiB peak, 1,024 18,312 obs/s and 828 MiB, 4,096 15,420 obs/s and 1,726 MiB, 64 18,067 obs/s
 * (more waiting messages, more garbage collection; fewer, smaller commits).
 */
const BRIDGE_WINDOW = 256;

/** Mosquitto's count of messages it dropped at its in-flight and queue limits. */
const SYS_DROPPED = '$SYS/broker/publish/messages/dropped';

/**
 * Follows the external broker's own count of dropped messages: a gauge, and a warning (at most one
 * a minute) when it grows, since a device's message the broker acknowledged and then dropped is lost
 * without anyone else noticing. Mosquitto publishes the count only when it changes (not retained),
 * so the first report already means drops while we were connected.
 */
function brokerDropWatch(metrics: IngestMetrics, logger: Logger): (value: string) => void {
  let last = 0;
  let warned = 0;
  return (value) => {
    const n = Number(value);
    if (!Number.isFinite(n)) return;
    metrics.brokerDropped.set(n);
    if (n > last && Date.now() - warned > 60_000) {
      warned = Date.now();
      logger.warn({ brokerDroppedTotal: n }, 'the external broker dropped messages at its queue limits; observations it acknowledged may be lost (raise its max_queued_messages: docs/api/mqtt.md)');
    }
    last = n;
  };
}

type SendPacket = (packet: { cmd: string; messageId?: number }, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

/**
 * Bridge to an external broker (MQTT_URL): subscribes there to the create topics through a shared
 * subscription (`$share/…`, MQTT 5), so with several nodes each message is written by one node
 * only; publishes the changes this node commits back there. mqtt.js handles one incoming packet at
 * a time and writes the PUBACK when `handleMessage` calls back; here the callback comes at once and
 * the PUBACK itself is held until the group commit, in arrival order (MQTT 3.1.1 §4.6), so many
 * messages share a commit and none is acknowledged before it is stored.
 */
export class Bridge {
  /** Batches of changes on their way to the external broker, one at a time, apart from the change hub's queue. */
  private readonly sending: SerialQueue;

  private constructor(
    private readonly clients: MqttClient[],
    private readonly opts: BridgeOptions,
    private readonly cache: StreamCache,
    private readonly root: () => string,
    private readonly sensing: SensingService,
    private readonly metrics: IngestMetrics,
    logger: Logger,
  ) {
    this.sending = new SerialQueue((err) => logger.error({ err }, 'bridge notification failed'));
  }

  static async start(opts: BridgeOptions, ingestor: Ingestor, cache: StreamCache, root: () => string, sensing: SensingService, metrics: IngestMetrics, logger: Logger): Promise<Bridge> {
    const n = opts.connections ?? 16;
    const clients: MqttClient[] = [];
    const filters = ['v1.1/Observations', 'v1.1/+/Observations', 'cantho/v1/devices/+/telemetry'].map((t) => `$share/cantho/${opts.prefix}${t}`);
    const watch = brokerDropWatch(metrics, logger);
    for (let i = 0; i < n; i++) {
      const c = await mqtt.connectAsync(opts.url, {
        protocolVersion: 5,
        clientId: `cantho-${opts.nodeId}-${i}`.slice(0, 64),
        clean: false,
        properties: { sessionExpiryInterval: 300, receiveMaximum: BRIDGE_WINDOW },
        reconnectPeriod: 1000,
        // Notifications are not queued while disconnected: memory stays bounded.
        queueQoSZero: false,
      });
      wireDeferredAcks(c, async (packet) => {
        if (packet.properties?.userProperties?.[ORIGIN] !== undefined) return;
        if (packet.topic === SYS_DROPPED) return watch(String(packet.payload));
        const t = packet.topic.startsWith(opts.prefix) ? parseCreateTopic(packet.topic.slice(opts.prefix.length)) : null;
        if (!t) return ingestor.refuse('topic', `"${packet.topic}" is not a create topic`, packet.topic, 'bridge');
        await ingestor.handle(BRIDGE_PRINCIPAL, t, packet.payload as Buffer, 'bridge', 'bridge');
      }, logger);
      await c.subscribeAsync(filters.map((f) => ({ topic: f, qos: 1 as const })).reduce((o, s) => Object.assign(o, { [s.topic]: { qos: s.qos } }), {}));
      // Mosquitto's count of what it dropped (sent when it changes, at most every sys_interval);
      // other brokers have no such topic or refuse it, and then the gauge stays at 0.
      if (i === 0) await c.subscribeAsync(SYS_DROPPED, { qos: 0 }).catch(() => {});
      clients.push(c);
    }
    logger.info({ url: opts.url.replace(/\/\/[^@/]*@/, '//***@'), connections: n }, 'MQTT bridge connected');
    return new Bridge(clients, opts, cache, root, sensing, metrics, logger);
  }

  /**
   * Publishes changes committed on this node (§14.2.2 topics): entity set, the navigation
   * collections of an Observation, the entity and its properties on update. Only public entities:
   * an external broker cannot tell subscribers apart. Returns at once: the batch waits in the
   * bridge's own bounded queue, so the change hub (live push) never waits for the broker.
   */
  notify(batch: Change[]): void {
    if (this.sending.backlog > MAX_BACKLOG) {
      this.metrics.notifyDropped.inc({ consumer: 'bridge' }, batch.length);
      return;
    }
    this.sending.add(batch.length, () => this.publish(batch));
  }

  private async publish(batch: Change[]): Promise<void> {
    const c0 = this.clients[0];
    if (!c0) return;
    // A broker that reads slower than we commit (or is away) must not make us buffer without bound.
    if (!c0.connected || (c0.stream?.writableLength ?? 0) > MAX_UNSENT_BYTES) {
      this.metrics.notifyDropped.inc({ consumer: 'bridge' }, batch.length);
      return;
    }
    const props = { properties: { userProperties: { [ORIGIN]: this.opts.nodeId } } };
    const p = this.opts.prefix;
    for (const c of batch) {
      if (!(await isPublicChange(this.sensing, this.cache, c))) continue;
      const set = ENTITIES[c.e as EntityName].set;
      if (c.e === 'Observation' && c.o) {
        const body = JSON.stringify(renderObservation(this.root(), c.id, c.o));
        const topics = [`v1.1/Observations`, c.o.ds !== null ? `v1.1/Datastreams(${c.o.ds})/Observations` : `v1.1/MultiDatastreams(${c.o.mds})/Observations`, `v1.1/FeaturesOfInterest(${c.o.foi})/Observations`];
        for (const t of topics) c0.publish(p + t, body, { qos: 0, ...props });
        continue;
      }
      const r = await this.sensing.get({ principal: SYSTEM, root: this.root() }, `${set}(${c.id})`, new URLSearchParams()).catch(() => null);
      if (!r) continue;
      const body = JSON.stringify(r.body);
      c0.publish(`${p}v1.1/${set}`, body, { qos: 1, ...props });
      if (c.k !== 'update') continue;
      c0.publish(`${p}v1.1/${set}(${c.id})`, body, { qos: 1, ...props });
      for (const [k, v] of Object.entries(r.body as Record<string, unknown>)) {
        if (!k.includes('@')) c0.publish(`${p}v1.1/${set}(${c.id})/${k}`, JSON.stringify({ [k]: v }), { qos: 1, ...props });
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync().catch(() => {})));
  }
}

/**
 * Holds each PUBACK until `handle` settled for its PUBLISH; a storage failure drops the connection
 * unacknowledged. At most `window` messages of a connection wait for their commit: past that, the
 * next message is not released to mqtt.js, which then stops reading the socket, so the broker keeps
 * the rest. The Receive Maximum we announce did not bound it alone: against a Mosquitto without a
 * queue limit, one connection had 11,000 messages waiting and the process ran out of heap.
 */
export function wireDeferredAcks(c: MqttClient, handle: (p: IPublishPacket) => Promise<void>, logger: Logger, window = BRIDGE_WINDOW): void {
  const pending = new Map<number, Promise<void>>();
  let chain: Promise<void> = Promise.resolve();
  /** QoS 1 messages handed to `handle` whose PUBACK has not been written yet. */
  let waiting = 0;
  let held: (() => void) | null = null;
  let alive = 0;
  c.handleMessage = (packet, cb) => {
    // mqtt.js counts only acknowledgements and PINGRESP as signs of life, and a PINGRESP waits
    // behind the messages held here: a connection that only receives was dropped after 1.5 ×
    // keepalive, and the broker redelivered what it had not been acknowledged (duplicates).
    const now = Date.now();
    if (now - alive > 1000) {
      alive = now;
      c.reschedulePing(true);
    }
    const done = handle(packet);
    if (packet.qos > 0 && packet.messageId !== undefined) {
      pending.set(packet.messageId, done);
      waiting++;
    } else done.catch((err) => logger.error({ err }, 'bridge ingest failed'));
    if (waiting < window) cb();
    else held = cb;
  };
  const target = c as unknown as { _sendPacket: SendPacket };
  const send = target._sendPacket.bind(c);
  const settled = () => {
    waiting--;
    if (held && waiting < window) {
      const release = held;
      held = null;
      release();
    }
  };
  target._sendPacket = (packet, cb, ...rest) => {
    const done = packet.cmd === 'puback' && packet.messageId !== undefined ? pending.get(packet.messageId) : undefined;
    if (!done) return send(packet, cb, ...rest);
    pending.delete(packet.messageId!);
    chain = chain.then(() =>
      done.then(
        () => {
          send(packet);
          settled();
        },
        (err) => {
          logger.error({ err }, 'bridge ingest failed: dropping the connection unacknowledged so the broker redelivers');
          c.stream.destroy();
          settled();
        },
      ),
    );
    cb?.();
  };
}

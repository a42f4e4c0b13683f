import type { Server as HttpServer } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { KeyStore } from '../auth/keys.ts';
import { can } from '../auth/roles.ts';
import type { Config } from '../config/config.ts';
import { isAppError } from '../core/errors.ts';
import type { SensingService } from '../sensing/sensing.service.ts';
import type { Metrics } from '../server/metrics.ts';
import { Bridge } from './bridge.ts';
import { EmbeddedBroker, INTERNAL_TOPIC, remoteAddress } from './broker.ts';
import type { Change } from './changes.ts';
import { changesSubject, NatsFanout } from './fanout.ts';
import { GroupCommit } from './group-commit.ts';
import { ChangeHub } from './hub.ts';
import { Ingestor } from './ingestor.ts';
import { LiveHub } from './live.ts';
import { createIngestMetrics, type IngestMetrics } from './metrics.ts';
import { DEFAULT_SESSION_LIMITS } from './sessions.ts';
import { StreamCache } from './stream-cache.ts';
import { MqttNotifier, Subscriptions, SYSTEM } from './subscriptions.ts';
import { parseCreateTopic, parseSubTopic } from './topics.ts';
import { resolvePath } from '../sensing/read/resolve.ts';

const NO_PAYLOAD = Buffer.alloc(0);

/** OGC 18-088 Annex A conformance classes of the MQTT extension (§14). */
export const MQTT_CONFORMANCE = [
  'http://www.opengis.net/spec/iot_sensing/1.1/req/create-observations-via-mqtt/observations-creation',
  'http://www.opengis.net/spec/iot_sensing/1.1/req/receive-updates-via-mqtt/receive-updates',
];

export interface IngestDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly keys: KeyStore;
  readonly sensing: SensingService;
  readonly metrics: Metrics;
  readonly app: FastifyInstance;
  /** The service root's conformance list; the MQTT classes go in only while a broker or bridge runs. */
  readonly conformance: string[];
}

/** What `start` brought up, for the start-up notice. */
export interface IngestStarted {
  readonly mqttPort: number | null;
  /** True when MQTT_PORT was unset and 1883 was taken, so another port was chosen. */
  readonly mqttPortMoved: boolean;
  readonly wsPath: string | null;
  readonly bridge: string | null;
  readonly nats: boolean;
}

/**
 * Real-time ingestion: the group-commit writer behind every observation write, the MQTT extension
 * (embedded Aedes broker, or a bridge to an external broker), live push over Server-Sent Events,
 * and the NATS fan-out that lets several nodes share one database. Built with the platform (the
 * writer and `/api/live` work at once); `start` opens the network side when the server listens.
 */
export class IngestModule {
  readonly metrics: IngestMetrics;
  readonly cache: StreamCache;
  readonly commits: GroupCommit;
  readonly hub: ChangeHub;
  readonly ingestor: Ingestor;
  readonly live: LiveHub;
  readonly subscriptions: Subscriptions;
  broker: EmbeddedBroker | null = null;
  bridge: Bridge | null = null;
  private nats: NatsFanout | null = null;
  private notifier: MqttNotifier | null = null;
  private rootUrl: string;

  constructor(private readonly deps: IngestDeps) {
    const { sensing, logger, config } = deps;
    this.metrics = createIngestMetrics(deps.metrics.registry);
    this.cache = new StreamCache(sensing.db);
    this.subscriptions = new Subscriptions(config.mqttMaxSubscriptions);
    this.commits = new GroupCommit(sensing.db, sensing.observations, this.metrics);
    sensing.setObservationSink((batch) => this.commits.submit(batch));
    this.hub = new ChangeHub(sensing, logger);
    this.ingestor = new Ingestor(sensing, this.cache, this.metrics, logger);
    this.rootUrl = `${config.publicUrl ?? `http://localhost:${config.port}`}/v1.1`;
    this.live = new LiveHub(sensing, this.cache, this.metrics, () => this.rootUrl, { buffer: config.liveBuffer });
    this.live.register(deps.app);
    this.hub.onDeliver((batch) => {
      // Caches of streams and devices follow changes made on any node.
      if (batch.some((c) => c.e !== 'Observation')) this.cache.invalidate();
      this.live.handle(batch);
      this.notifier?.handle(batch);
    });
  }

  /** Opens the MQTT side (embedded broker or bridge) and the NATS fan-out. */
  async start(): Promise<IngestStarted> {
    const { config, logger } = this.deps;
    const http = this.deps.app.server as HttpServer;
    const addr = http.address();
    if (!config.publicUrl && addr && typeof addr === 'object') this.rootUrl = `http://localhost:${addr.port}/v1.1`;
    if (config.natsUrl) {
      // Live push follows the stream, this node's own changes included: one order on every node.
      this.live.sequence({ history: (from, to, each) => this.nats?.history(from, to, each) ?? Promise.resolve(null) });
      // The server listens already: what it commits while NATS connects goes out once it has.
      const meanwhile: Change[][] = [];
      this.hub.setFanout({ publish: (batch) => meanwhile.push(batch) });
      this.nats = await NatsFanout.connect(config.natsUrl, changesSubject(config.pgSchema), (batch) => this.hub.deliver(batch), logger, {
        onDropped: (n) => this.metrics.notifyDropped.inc({ consumer: 'nats' }, n),
        onSequenced: (batch, seq) => this.live.handleSequenced(batch, seq),
      });
      this.live.streamStartedAfter(this.nats.startedAfter);
      for (const batch of meanwhile) this.nats.publish(batch);
      this.hub.setFanout(this.nats);
    }
    let mqttPort: number | null = null;
    if (config.mqttEnabled && config.mqttUrl) {
      this.bridge = await Bridge.start({ url: config.mqttUrl, prefix: config.mqttTopicPrefix, nodeId: `${config.pgSchema ?? 'public'}-${addr && typeof addr === 'object' ? addr.port : config.port}` }, this.ingestor, this.cache, () => this.rootUrl, this.sensing, this.metrics, logger);
      this.hub.onOrigin((batch) => this.bridge?.notify(batch));
    } else if (config.mqttEnabled) {
      this.broker = new EmbeddedBroker(this.hooks(), logger, { ...DEFAULT_SESSION_LIMITS, maxQueued: config.mqttMaxQueued, expiryMs: config.mqttSessionExpirySeconds * 1000 });
      mqttPort = await this.broker.start({
        port: config.mqttPort,
        host: config.host,
        http: config.mqttWsPath ? { server: http, path: config.mqttWsPath } : undefined,
        maxPacketBytes: config.mqttMaxPacketBytes,
        buffer: config.mqttBuffer,
      });
      this.notifier = new MqttNotifier(this.sensing, this.subscriptions, this.cache, (t, p, q, priv) => this.broker?.publish(t, p, q, priv), this.rootUrl, this.metrics, logger);
    }
    if (this.broker || this.bridge) for (const c of MQTT_CONFORMANCE) if (!this.deps.conformance.includes(c)) this.deps.conformance.push(c);
    const started: IngestStarted = {
      mqttPort,
      mqttPortMoved: mqttPort !== null && config.mqttPort === null && mqttPort !== 1883,
      wsPath: this.broker ? config.mqttWsPath : null,
      bridge: this.bridge ? config.mqttUrl : null,
      nats: this.nats !== null,
    };
    logger.info(started, 'real-time ingestion started');
    return started;
  }

  /** Stops taking messages, writes what is queued, then closes the broker, bridge and fan-out. */
  async close(): Promise<void> {
    const conf = this.deps.conformance;
    for (const c of MQTT_CONFORMANCE) if (conf.includes(c)) conf.splice(conf.indexOf(c), 1);
    await this.bridge?.close();
    await this.broker?.close(this.deps.app.server as HttpServer);
    await this.commits.close();
    await this.hub.idle();
    await this.nats?.close();
    this.live.close();
    this.sensing.setObservationSink(null);
  }

  private get sensing(): SensingService {
    return this.deps.sensing;
  }

  private hooks() {
    const prefix = this.deps.config.mqttTopicPrefix;
    const strip = (t: string) => (t.startsWith(prefix) ? t.slice(prefix.length) : null);
    return {
      authenticate: async (client: import('aedes').Client, username: string | undefined, password: string | undefined) => {
        if (password === undefined || password === '') return 'anonymous' as const;
        const p = await this.deps.keys.authenticate(password);
        if (!p) {
          this.metrics.connectionsRefused.inc({ reason: 'bad_key' });
          this.ingestor.warn({ client: client.id, username, address: remoteAddress(client) }, 'MQTT CONNECT refused: the password is not a valid API key');
        }
        return p;
      },
      publish: async (client: import('aedes').Client, principal: import('../auth/roles.ts').Principal | null, packet: import('aedes').PublishPacket) => {
        const topic = packet.topic;
        const payload = packet.payload as Buffer;
        packet.topic = INTERNAL_TOPIC;
        packet.retain = false;
        // Aedes keeps a QoS 2 packet until its PUBREL (up to 1,000 a client, any client, anonymous
        // too): what it keeps need not hold the data, which is handled here.
        packet.payload = NO_PAYLOAD;
        const t = strip(topic);
        const create = t === null ? null : parseCreateTopic(t);
        if (!create) {
          this.ingestor.refuse('topic', `"${topic}" is not a create topic (v1.1/Observations, v1.1/Datastreams(id)/Observations, …, cantho/v1/devices/{id}/telemetry)`, topic, client.id);
          return;
        }
        // A QoS 2 retransmission of a message already taken must not be written twice.
        if (packet.qos === 2 && (await this.broker!.seenQos2(client, packet))) return;
        await this.ingestor.handle(principal, create, payload, 'mqtt', client.id);
      },
      subscribe: async (client: import('aedes').Client, principal: import('../auth/roles.ts').Principal | null, topic: string, qos: number) => {
        const t = strip(topic);
        if (t === null) return false;
        if (!this.subscriptions.claim(client.id, topic)) {
          this.metrics.subscriptionsRefused.inc({ reason: 'too_many' });
          this.ingestor.warn({ reason: 'too_many', client: client.id }, `MQTT SUBSCRIBE "${topic}" refused: the client holds ${this.subscriptions.perClient} subscriptions already (MQTT_MAX_SUBSCRIPTIONS)`);
          return false;
        }
        let sub: ReturnType<typeof parseSubTopic>;
        try {
          sub = parseSubTopic(t);
          const anonymous = !can(principal, 'read:private');
          // The addressed entities must exist and be visible to this client (404 rules of HTTP).
          await resolvePath(this.sensing.db, sub.path, anonymous);
          let initial: string | undefined;
          if (sub.mode === 'property') initial = JSON.stringify((await this.sensing.get({ principal: SYSTEM, root: this.rootUrl }, sub.pathText, new URLSearchParams())).body);
          this.subscriptions.add(client.id, anonymous, topic, sub, qos, initial);
          return true;
        } catch (err) {
          this.subscriptions.unclaim(client.id, topic);
          const reason = isAppError(err) ? (err.code === 'NOT_FOUND' ? 'not_found' : 'topic') : 'error';
          this.metrics.subscriptionsRefused.inc({ reason });
          const message = `MQTT SUBSCRIBE "${topic}" refused: ${(err as Error).message}`;
          if (reason === 'error') this.deps.logger.error({ err, client: client.id }, message);
          else this.ingestor.warn({ reason, client: client.id }, message);
          return false;
        }
      },
      unsubscribe: (clientId: string, topic: string) => this.subscriptions.remove(clientId, topic),
      sessionEnded: (clientId: string) => this.subscriptions.removeClient(clientId),
      sessionDropped: (n: number) => this.metrics.sessionDropped.inc(n),
      sessionsAway: (n: number) => this.metrics.sessionsAway.set(n),
      packetTooLarge: (client: import('aedes').Client, bytes: number | null) =>
        this.ingestor.refuse(
          'too_large',
          `an MQTT packet${bytes === null ? '' : ` of ${bytes} bytes`} is larger than MQTT_MAX_PACKET_SIZE (${this.deps.config.mqttMaxPacketBytes}); the connection is closed`,
          undefined,
          client.id ?? remoteAddress(client) ?? 'unknown',
        ),
      cutOff: (client: import('aedes').Client, unsent: number) => {
        this.metrics.mqttCutOff.inc();
        this.ingestor.warn({ client: client.id, address: remoteAddress(client), unsent }, 'MQTT client disconnected: it did not read what it was sent (its share of MQTT_BUFFER)');
      },
    };
  }
}

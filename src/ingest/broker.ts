import { createServer, type Server as NetServer } from 'node:net';
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { Principal } from '../auth/roles.ts';
import { DEFAULT_SESSION_LIMITS, PersistentSessions, type SessionLimits } from './sessions.ts';
import { shareOf } from './share.ts';

/** What the broker asks of the ingest module, one hook per MQTT control packet it must judge. */
export interface BrokerHooks {
  /** Password = API key → principal; undefined password → anonymous; null → refused. */
  authenticate(client: Client, username: string | undefined, password: string | undefined): Promise<Principal | null | 'anonymous'>;
  /**
   * A client's PUBLISH, before its PUBACK: resolves once the data are committed (or refused) with
   * whether the packet was taken; throws when storage failed (the client is then disconnected).
   */
  publish(client: Client, principal: Principal | null, packet: PublishPacket): Promise<void>;
  /** A SUBSCRIBE topic: true when granted (SUBACK 0x80 otherwise). */
  subscribe(client: Client, principal: Principal | null, topic: string, qos: number): Promise<boolean>;
  unsubscribe(clientId: string, topic: string): void;
  /** The client's session ended (its subscriptions go): at its disconnect, or later for a persistent one (sessions.ts). */
  sessionEnded(clientId: string): void;
  /** Messages not kept for a persistent session at its limit; persistent sessions whose clients are away. */
  sessionDropped(n: number): void;
  sessionsAway(n: number): void;
  /** A packet larger than `maxPacketBytes` (null: a WebSocket message, length unknown); its connection is closed. */
  packetTooLarge?(client: Client, bytes: number | null): void;
  /** A client that did not read what it was sent, past its share of `buffer`, was disconnected. */
  cutOff?(client: Client, unsent: number): void;
}

export interface BrokerOptions {
  /** null = 1883 or the next free port; a number = exactly that port, or fail. */
  readonly port: number | null;
  readonly host: string;
  /** Serve MQTT over WebSocket on this HTTP server at `wsPath` (browsers). */
  readonly http?: { server: HttpServer; path: string };
  /** Largest MQTT packet (remaining length) a client may send; default MAX_PACKET_BYTES. */
  readonly maxPacketBytes?: number;
  /**
   * Bytes written to clients and not yet taken by their sockets, all clients together (default
   * 64 MiB, MQTT_BUFFER): each client that is behind may hold its share (`shareOf`).
   */
  readonly buffer?: number;
}

/** MQTT_MAX_PACKET_SIZE's default: 256 KiB (an Observation or a telemetry message is a few hundred bytes). */
export const MAX_PACKET_BYTES = 256 * 1024;

/** The part of mqtt-packet's parser (one per Aedes client) that reads a packet's remaining length. */
interface PacketParser {
  packet: { cmd?: string; length: number };
  _parseLength(): boolean;
  _emitError(err: Error): void;
}

/** The client's address (TCP, or the WebSocket upgrade request's), for logs. */
export function remoteAddress(client: Client): string | undefined {
  const c = client as unknown as { conn?: { remoteAddress?: string }; req?: IncomingMessage };
  return c.conn?.remoteAddress ?? c.req?.socket?.remoteAddress;
}

/** Where every raw create-publish goes after it was handled: `$` topics nobody may subscribe to. */
export const INTERNAL_TOPIC = '$cantho/ingested';

/**
 * The embedded Aedes broker (MQTT 3.1.1). Authentication and every PUBLISH/SUBSCRIBE go through
 * the hooks. In Aedes 1.2 the PUBACK of a QoS 1 PUBLISH is written only after `authorizePublish`
 * calls back, and the socket is read again only when every packet of the current chunk has called
 * back (lib/client.js, lib/handlers/publish.js): answering after the group commit gives durable
 * acknowledgements and back-pressure per connection.
 */
export class EmbeddedBroker {
  readonly aedes: Aedes;
  port = 0;
  private tcp: NetServer | null = null;
  private wss: WebSocketServer | null = null;
  private readonly principals = new WeakMap<Client, Principal | null>();
  /** Payloads about private entities: never forwarded to anonymous clients. */
  private readonly privatePayloads = new WeakSet<Buffer>();
  private upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  private readonly sessions: PersistentSessions;
  private buffer = 64 * 1024 * 1024;
  /** Clients whose sockets have not yet taken everything written to them: they share `buffer`. */
  private behind = 0;

  constructor(
    private readonly hooks: BrokerHooks,
    private readonly logger: Logger,
    limits: SessionLimits = DEFAULT_SESSION_LIMITS,
  ) {
    this.aedes = new Aedes({
      // Anonymous and bad-key clients are told apart: CONNACK 4 only for a key that does not work.
      authenticate: (client, username, password, done) => {
        hooks.authenticate(client, username || undefined, password?.toString('utf8')).then(
          (p) => {
            if (p === null) {
              const e = new Error('bad API key') as AuthenticateError;
              e.returnCode = 4;
              return done(e, false);
            }
            this.principals.set(client, p === 'anonymous' ? null : p);
            done(null, true);
          },
          (err) => {
            const e = err as AuthenticateError;
            e.returnCode = 3;
            done(e, false);
          },
        );
      },
      authorizePublish: (client, packet, done) => {
        if (!client) return done(new Error('no client'));
        hooks.publish(client, this.principals.get(client) ?? null, packet).then(() => done(null), (err) => done(err as Error));
      },
      authorizeSubscribe: (client, sub, done) => {
        hooks.subscribe(client, this.principals.get(client) ?? null, sub.topic, sub.qos).then(
          (ok) => done(null, ok ? sub : null),
          () => done(null, null),
        );
      },
      authorizeForward: (client, packet) => {
        if (this.privatePayloads.has(packet.payload as Buffer) && !this.principals.get(client)) return null;
        return packet;
      },
    });
    // Every client PUBLISH is handled in authorizePublish and re-addressed to INTERNAL_TOPIC, which
    // no client can subscribe to: Aedes's routing of it (retained store, offline-queue lookup, topic
    // match, 'publish' event) would find nothing. Skipping it is about a twentieth of the broker's
    // time per message. Aedes calls publish(packet, client, done) internally, publish(packet, done)
    // from outside: the callback is the last argument either way.
    const aedes = this.aedes as unknown as { publish(packet: PublishPacket, ...rest: unknown[]): void };
    const route = aedes.publish.bind(aedes);
    aedes.publish = (packet, ...rest) => {
      if (packet.topic !== INTERNAL_TOPIC) return route(packet, ...rest);
      const done = rest[rest.length - 1];
      if (typeof done === 'function') done(null);
    };
    this.aedes.on('unsubscribe', (topics, client) => {
      for (const t of topics) hooks.unsubscribe(client.id, t);
    });
    this.sessions = new PersistentSessions(
      this.aedes,
      (client) => !this.principals.get(client),
      { ended: (id) => hooks.sessionEnded(id), dropped: (n) => hooks.sessionDropped(n), away: (n) => hooks.sessionsAway(n) },
      logger,
      limits,
    );
    this.aedes.on('clientError', (client, err) => logger.debug({ client: client.id, err: err.message }, 'MQTT client error'));
  }

  /** Listens on TCP (and WebSocket when asked); returns the port. */
  async start(opts: BrokerOptions): Promise<number> {
    await this.aedes.listen();
    this.sessions.bound();
    const max = opts.maxPacketBytes ?? MAX_PACKET_BYTES;
    this.buffer = opts.buffer ?? 64 * 1024 * 1024;
    this.tcp = createServer((socket) => this.handle(socket, max));
    this.port = await listenFirstFree(this.tcp, opts.port, opts.host);
    if (opts.http) {
      const { server, path } = opts.http;
      // A WebSocket message is buffered whole before MQTT sees it: the same bound (+ a fixed header).
      this.wss = new WebSocketServer({ noServer: true, maxPayload: max + 5, handleProtocols: (p) => (p.has('mqtt') ? 'mqtt' : [...p][0] ?? false) });
      this.upgrade = (req, socket, head) => {
        if ((req.url ?? '').split('?')[0] !== path) {
          if (server.listenerCount('upgrade') === 1) socket.destroy();
          return;
        }
        this.wss!.handleUpgrade(req, socket, head, (ws) => {
          const tooLarge = this.handle(createWebSocketStream(ws), max, req);
          ws.on('error', (err: Error & { code?: string }) => {
            if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') tooLarge(null);
          });
        });
      };
      server.on('upgrade', this.upgrade);
    }
    return this.port;
  }

  /**
   * Hands a connection to Aedes, with two bounds Aedes lacks.
   *
   * Its parser would gather any packet a client announces (MQTT allows 256 MiB), before CONNECT is
   * answered and before any PUBLISH is authorised: an anonymous client could fill the heap. A
   * packet whose remaining length is above `max` closes the connection as soon as its length is
   * read (MQTT 3.1.1 has no way to refuse one packet; Mosquitto's `max_packet_size` does the same).
   *
   * And when a client's socket is full, Aedes waits for it to drain before it goes on with the
   * message, holding one of its 100 delivery slots: a few subscribers that stop reading (a frozen
   * app, a dead 3G link, or on purpose, anonymously, on public topics) stalled delivery to every
   * client until Aedes's 60 s drain timeout. Here delivery goes on at once; the socket keeps what it
   * was given, and a client whose socket holds more than its share of `buffer` unsent is
   * disconnected (a persistent session gets its QoS 1 messages again when it comes back). The
   * buffer is shared among the clients that are behind, not all those connected: with the buffer
   * divided among all, a city's thousands of connected devices (publishers, which are sent
   * nothing) left a subscriber 64 KiB, and a persistent session that came back to more queued
   * messages than that over a slow link was cut off on every return, for ever.
   *
   * Returns the connection's report of a packet too large (once).
   */
  private handle(conn: Duplex, max: number, req?: IncomingMessage): (bytes: number | null) => void {
    const client = this.aedes.handle(conn, req) as unknown as Client & { _parser: PacketParser; waitForDrain(done: () => void): void };
    const parser = client._parser;
    const parseLength = parser._parseLength;
    let reported = false;
    const refuse = (bytes: number | null) => {
      if (!reported) this.hooks.packetTooLarge?.(client, bytes);
      reported = true;
    };
    parser._parseLength = function (this: PacketParser) {
      if (!parseLength.call(this)) return false;
      const bytes = this.packet.length;
      if (bytes <= max) return true;
      refuse(bytes);
      this._emitError(new Error(`a ${this.packet.cmd ?? 'packet'} of ${bytes} bytes is larger than MQTT_MAX_PACKET_SIZE (${max})`));
      return false;
    };
    // Behind: from a write the socket did not take at once until it has taken everything.
    let behind = false;
    const caughtUp = () => {
      if (behind) this.behind--;
      behind = false;
    };
    conn.on('drain', caughtUp);
    conn.once('close', caughtUp);
    client.waitForDrain = (done) => {
      if (!behind) this.behind++;
      behind = true;
      const unsent = conn.writableLength;
      if (unsent > shareOf(this.buffer, this.behind) && !conn.destroyed) {
        this.hooks.cutOff?.(client, unsent);
        conn.destroy();
      }
      setImmediate(done);
    };
    return refuse;
  }

  /** Whether a QoS 2 PUBLISH is a retransmission of one already stored (MQTT-4.3.3-2). */
  async seenQos2(client: Client, packet: PublishPacket): Promise<boolean> {
    const persistence = (this.aedes as unknown as { persistence: { incomingGetPacket(c: Client, p: PublishPacket): Promise<unknown> } }).persistence;
    return persistence.incomingGetPacket(client, packet).then(
      () => true,
      () => false,
    );
  }

  /** Publishes a notification to subscribers (§14.2.2). */
  publish(topic: string, payload: Buffer, qos: number, privateData: boolean): void {
    if (privateData) this.privatePayloads.add(payload);
    this.aedes.publish({ cmd: 'publish', topic, payload, qos: qos as 0 | 1 | 2, retain: false, dup: false }, (err) => {
      if (err) this.logger.warn({ err, topic }, 'MQTT publish failed');
    });
  }

  async close(http?: HttpServer): Promise<void> {
    if (this.upgrade && http) http.off('upgrade', this.upgrade);
    this.sessions.close();
    await new Promise<void>((r) => this.aedes.close(() => r()));
    this.wss?.close();
    if (this.tcp) await new Promise<void>((r) => this.tcp!.close(() => r()));
  }
}

/** Binds `port`, or when it is null the first free port from 1883 on. */
async function listenFirstFree(server: NetServer, port: number | null, host: string): Promise<number> {
  const first = port ?? 1883;
  const last = port ?? 1883 + 100;
  for (let p = first; p <= last; p++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(p, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return (server.address() as { port: number }).port;
    } catch (e) {
      if ((e as { code?: string }).code !== 'EADDRINUSE') throw e;
      if (port !== null) throw new Error(`MQTT_PORT ${port} is already in use on ${host}: stop what holds it, or choose another port (unset MQTT_PORT to take the next free one)`);
    }
  }
  throw new Error(`no free MQTT port from ${first} to ${last}`);
}

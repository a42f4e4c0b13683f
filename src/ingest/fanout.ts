import { randomBytes } from 'node:crypto';
import { type ConsumerMessages, connect, DiscardPolicy, headers, type JetStreamClient, type JetStreamManager, type NatsConnection, nanos, RetentionPolicy, StorageType } from 'nats';
import type { Logger } from 'pino';
import type { Change } from './changes.ts';
import type { Fanout } from './hub.ts';

/** Changes per NATS message (well under the default 1 MB max_payload). */
const CHUNK = 1000;
/** The header that names the node a message comes from (a node delivers its own changes itself). */
const NODE = 'Cantho-Node';

export interface NatsFanoutOptions {
  /** How long the stream keeps changes for a node that is cut off from NATS (default 1 h). */
  maxAgeMs?: number;
  /** The stream's size on the NATS server's disk; past it the oldest changes go (default 256 MiB). */
  maxBytes?: number;
  /** Changes this node holds while NATS cannot take them; past it the oldest are dropped (default 200,000). */
  maxWaiting?: number;
  /** Called with the number of changes dropped at `maxWaiting`. */
  onDropped?: (n: number) => void;
  /**
   * Called with every message of the stream, this node's own included, in stream order, with its
   * stream sequence: one order of every change in the cluster, the same on every node (live push
   * numbers its events by it, so that a client can resume on any node).
   */
  onSequenced?: (batch: Change[], seq: number) => void;
  /** Most messages `history` reads for one resume (each holds up to 1,000 changes; default 1,000). */
  historyMax?: number;
}

/** The subject a deployment's nodes exchange their changes on: one per database schema. */
export function changesSubject(pgSchema: string | null): string {
  return `cantho.changes.${pgSchema ?? 'public'}`;
}

/** A JetStream stream name from the subject (`cantho.changes.public` → `CANTHO_CHANGES_PUBLIC`). */
export function streamName(subject: string): string {
  return subject.replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase();
}

/**
 * Fans changes out to every node through a JetStream stream on one subject. A node delivers what
 * it commits itself, at once, and publishes it to the stream; each node follows the stream with an
 * ordered consumer from the moment it started and delivers what the other nodes published. So
 * each node's SSE clients and embedded-broker subscribers see every change committed anywhere
 * exactly once, across a restart of NATS or a node's lost connection to it:
 * - a publish is retried, in order, until the stream has it; its message id (node + sequence)
 *   lets the stream drop the copy of a retry whose first attempt did arrive (`duplicate_window`);
 * - the ordered consumer resumes after the last stream sequence it delivered.
 * What waits for NATS is bounded (`maxWaiting`); the oldest is dropped and counted past it.
 */
export class NatsFanout implements Fanout {
  private readonly node = randomBytes(6).toString('hex');
  private readonly enc = new TextEncoder();
  private queue: Change[][] = [];
  private queued = 0;
  private sent = 0;
  private pumping: Promise<void> | null = null;
  private closing = false;
  private lastWarn = 0;

  private constructor(
    /** The stream's last sequence when this node began to follow it (what came before is history to it). */
    readonly startedAfter: number,
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly messages: ConsumerMessages,
    private readonly subject: string,
    private readonly logger: Logger,
    private readonly opts: NatsFanoutOptions,
  ) {}

  /** Connects, makes sure the stream exists, and starts following it from its current end. */
  static async connect(url: string, subject: string, onRemote: (batch: Change[]) => void, logger: Logger, opts: NatsFanoutOptions = {}): Promise<NatsFanout> {
    const nc = await connect({ servers: url, name: 'cantho', maxReconnectAttempts: -1 });
    try {
      const stream = streamName(subject);
      let jsm: JetStreamManager;
      try {
        jsm = await nc.jetstreamManager();
      } catch (err) {
        throw new Error(`NATS at ${url} has no JetStream (${(err as Error).message}): start nats-server with -js (several nodes keep their changes in a stream there)`);
      }
      const config = {
        name: stream,
        subjects: [subject],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        max_age: nanos(opts.maxAgeMs ?? 3_600_000),
        max_bytes: opts.maxBytes ?? 256 * 1024 * 1024,
        duplicate_window: nanos(10 * 60_000),
        num_replicas: 1,
      };
      let last: number;
      try {
        last = (await jsm.streams.info(stream)).state.last_seq;
        // A node of the same deployment made it; its limits follow this node's settings.
        await jsm.streams.update(stream, config).catch((err: Error) => logger.warn({ err, stream }, 'NATS stream settings not updated'));
      } catch (err) {
        if (!/not found/i.test((err as Error).message)) throw err;
        // Two nodes starting together may both add it: the same settings make that a no-op.
        last = (await jsm.streams.add(config)).state.last_seq;
      }
      const js = nc.jetstream();
      const consumer = await js.consumers.get(stream, { filterSubjects: subject, opt_start_seq: last + 1 });
      // Heartbeats every 2 s: a consumer lost with a NATS restart is noticed and made again quickly.
      const messages = await consumer.consume({ max_messages: 64, expires: 10_000, idle_heartbeat: 2_000 });
      const fanout = new NatsFanout(last, nc, jsm, js, messages, subject, logger, opts);
      void fanout.follow(onRemote);
      logger.info({ subject, stream, from: last + 1 }, 'NATS fan-out connected (JetStream)');
      return fanout;
    } catch (err) {
      await nc.close().catch(() => {});
      throw err;
    }
  }

  /** Changes committed on this node, for the other nodes. */
  publish(batch: Change[]): void {
    if (!batch.length) return;
    this.queue.push(batch);
    this.queued += batch.length;
    const max = this.opts.maxWaiting ?? 200_000;
    let dropped = 0;
    // The batch being sent (queue[0] while pumping) stays; what waits behind it may go.
    while (this.queued > max && this.queue.length > (this.pumping ? 1 : 0)) {
      const at = this.pumping ? 1 : 0;
      const [old] = this.queue.splice(at, 1);
      this.queued -= old!.length;
      dropped += old!.length;
    }
    if (dropped) {
      this.opts.onDropped?.(dropped);
      this.warn({ dropped, waiting: this.queued }, 'NATS unreachable: oldest changes for the other nodes dropped');
    }
    if (!this.pumping) this.pumping = this.pump().finally(() => (this.pumping = null));
  }

  /** Changes still waiting for the stream (for tests and metrics). */
  get waiting(): number {
    return this.queued;
  }

  /** Sends what is queued, a chunk at a time and in order, each retried until the stream has it. */
  private async pump(): Promise<void> {
    const h = headers();
    h.set(NODE, this.node);
    let failures = 0;
    while (this.queue.length) {
      const head = this.queue[0]!;
      const chunk = head.length > CHUNK ? head.slice(0, CHUNK) : head;
      const msgID = `${this.node}-${this.sent + 1}`;
      const data = this.enc.encode(JSON.stringify(chunk));
      for (;;) {
        try {
          await this.js.publish(this.subject, data, { msgID, headers: h, timeout: 5_000 });
          failures = 0;
          break;
        } catch (err) {
          if (this.nc.isClosed()) return;
          if (this.closing) {
            this.logger.warn({ err, lost: this.queued }, 'NATS unreachable while closing: the last changes did not reach the other nodes');
            return;
          }
          failures++;
          this.warn({ err, waiting: this.queued }, 'NATS publish failed; retrying');
          await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * 2 ** Math.min(failures, 5))));
        }
      }
      this.sent++;
      if (chunk === head) this.queue.shift();
      else this.queue[0] = head.slice(CHUNK);
      this.queued -= chunk.length;
    }
  }

  /** Delivers what the other nodes published, in stream order, until closed. */
  private async follow(onRemote: (batch: Change[]) => void): Promise<void> {
    const dec = new TextDecoder();
    const sequenced = this.opts.onSequenced;
    try {
      for await (const m of this.messages) {
        const own = m.headers?.get(NODE) === this.node;
        if (own && !sequenced) continue;
        try {
          const batch = JSON.parse(dec.decode(m.data)) as Change[];
          if (!own) onRemote(batch);
          sequenced?.(batch, m.seq);
        } catch (err) {
          this.logger.error({ err, seq: m.seq }, 'bad NATS change message');
        }
      }
    } catch (err) {
      if (!this.closing) this.logger.error({ err }, 'NATS fan-out stopped following the stream');
    }
  }

  /**
   * Reads the stream's messages `from`..`to` (sequences), in order, for a client resuming from an
   * older position than the ring of recent events holds, handing each to `each` as it comes, and
   * resolves with the last sequence it handed over: `to`, or less when the span is longer than
   * `historyMax` messages or NATS stops answering within `timeoutMs` (the caller has all up to that
   * one). Null when the stream no longer holds `from` (past its age or size limit) or reading it
   * failed: the caller then discards what it was handed.
   */
  async history(from: number, to: number, each: (batch: Change[], seq: number) => void, timeoutMs = 5_000): Promise<number | null> {
    if (to < from) return to;
    to = Math.min(to, from + (this.opts.historyMax ?? 1_000) - 1);
    const deadline = Date.now() + timeoutMs;
    let next = from;
    try {
      const info = await this.jsm.streams.info(streamName(this.subject));
      if (info.state.first_seq > from || info.state.last_seq < to) return null;
      const consumer = await this.js.consumers.get(streamName(this.subject), { filterSubjects: this.subject, opt_start_seq: from });
      const dec = new TextDecoder();
      while (next <= to) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        const msgs = await consumer.fetch({ max_messages: Math.min(256, to - next + 1), expires: Math.max(1_000, Math.min(left, 5_000)) });
        for await (const m of msgs) {
          if (m.seq > to) break;
          each(JSON.parse(dec.decode(m.data)) as Change[], m.seq);
          next = m.seq + 1;
        }
      }
      return next - 1;
    } catch (err) {
      this.logger.warn({ err, from, to }, 'NATS stream history not read');
      return null;
    }
  }

  private warn(obj: object, msg: string): void {
    const now = Date.now();
    if (now - this.lastWarn < 5_000) return;
    this.lastWarn = now;
    this.logger.warn(obj, msg);
  }

  /** Sends what is still queued (no more retries once an attempt fails), then leaves. */
  async close(): Promise<void> {
    this.closing = true;
    await this.pumping;
    this.messages.stop();
    // Not drain(): with NATS unreachable it would wait for a reconnect that may never come.
    await this.nc.close().catch(() => {});
  }
}

import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { SensingService } from '../sensing/sensing.service.ts';
import { type Change, loadSince, type ObsSnapshot, renderObservation } from './changes.ts';
import { before, type Cursor, formatCursor, idsOf, parseCursor, type Pos, streamKey, streamsOf } from './live-request.ts';
import type { IngestMetrics } from './metrics.ts';
import { shareOf } from './share.ts';
import type { StreamCache } from './stream-cache.ts';

interface Entry {
  id: number;
  o: ObsSnapshot;
  pos?: Pos;
  /** One node: see Change.w. */
  w?: number;
  text?: string;
}

interface LiveClient {
  readonly res: ServerResponse;
  /** What it follows: Datastream ids, and MultiDatastream ids negated (`streamKey`). */
  readonly streams: ReadonlySet<number>;
  /** While replaying after a reconnect: live events held back, then sent unless already replayed. */
  held: Entry[] | null;
  /** Several nodes: the position this client has had everything up to; live events at or before it are not sent again. */
  after: Pos | null;
}

/** The event of a change, when it is a created Observation (the only changes live push sends). */
function entryOf(c: Change, pos?: Pos): Entry | null {
  return c.e === 'Observation' && c.k === 'create' && c.o ? { id: c.id, o: c.o, pos, w: pos ? undefined : c.w } : null;
}

/** What a replay from the ring or the stream found: all that followed, the first `replayMax` of it, or not where it left off. */
type Replayed = 'all' | 'capped' | 'missing';

/** The client went away during its replay. */
class Gone extends Error {}

/** Resolves when the socket has written out its buffer, or closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * The stream history of several nodes (the NATS fan-out), for a resume from past the ring: it hands
 * over messages `from`..`to` in order and resolves with the last sequence handed over (up to `to`;
 * less when a resume may not read that far), or null when it no longer holds `from` (what it handed
 * over then does not count).
 */
export interface History {
  history(from: number, to: number, each: (batch: Change[], seq: number) => void): Promise<number | null>;
}

export interface LiveOptions {
  /** Recent events kept for a resume (default 20,000). */
  capacity?: number;
  /** Most events one resume sends; past it the stream ends, and the client resumes from its last event (default 200,000). */
  replayMax?: number;
  /** How often a quiet stream gets a line (default 15 s). */
  heartbeatMs?: number;
  /**
   * Bytes written and not yet taken by the clients' sockets, all clients together (default 64 MiB,
   * CANTHO_LIVE_BUFFER): each client may hold its share (`shareOf`); one past it is cut off and
   * resumes with Last-Event-ID.
   */
  buffer?: number;
}

const DB_PAGE = 5000;
/** Live events held for a client while its replay runs; past it the client is cut off and resumes. */
const MAX_HELD = 100_000;

/**
 * Live push for the web app: `GET /api/live?datastreams=1,2` (or `multidatastreams=`, `things=3,4`, or `filter=` a
 * SensorThings $filter on Datastreams, for an area or a sector) is a Server-Sent Events stream of
 * new Observations, each event `id:` being the Observation id (with several nodes, followed by its
 * place in the NATS stream). A client that reconnects with `Last-Event-ID` gets what it missed:
 * from a bounded in-memory ring of recent events when they are all still there, else from the
 * stream (several nodes), else from the database (id > last id). See `replay`.
 */
export class LiveHub {
  private readonly ring: (Entry | undefined)[];
  private head = 0;
  private readonly byStream = new Map<number, Set<LiveClient>>();
  private readonly clients = new Set<LiveClient>();
  private heartbeat: NodeJS.Timeout | null = null;
  /** Several nodes: the fan-out's stream, the last sequence of it this hub has handled, the last index in that message, and the largest Observation id handled. */
  private stream: History | null = null;
  private lastSeq = 0;
  private lastIndex = 0;
  private maxId = 0;
  private readonly replayMax: number;
  private readonly heartbeatMs: number;
  private readonly buffer: number;

  constructor(
    private readonly sensing: SensingService,
    private readonly cache: StreamCache,
    private readonly metrics: IngestMetrics,
    private readonly root: () => string,
    opts: LiveOptions = {},
  ) {
    this.ring = new Array(opts.capacity ?? 20_000);
    this.replayMax = opts.replayMax ?? 200_000;
    this.heartbeatMs = opts.heartbeatMs ?? 15_000;
    this.buffer = opts.buffer ?? 64 * 1024 * 1024;
  }

  /** Bytes written to the clients and not yet taken by their sockets. */
  get buffered(): number {
    let n = 0;
    for (const cl of this.clients) n += cl.res.writableLength;
    return n;
  }

  /** What one client's socket may hold unsent. */
  private share(): number {
    return shareOf(this.buffer, this.clients.size);
  }

  /**
   * Several nodes: from now on events come from the fan-out's stream (`handleSequenced`), every
   * node's own included, so that each node sends them in the same order and numbers them by their
   * place in it; a client can then resume on any node.
   */
  sequence(stream: History): void {
    this.stream = stream;
  }

  /**
   * Several nodes: the stream's last sequence when this node began to follow it. A client whose
   * last event is from before then (on another node) is behind this node, not ahead of it: what it
   * missed is read from the stream.
   */
  streamStartedAfter(seq: number): void {
    this.lastSeq = Math.max(this.lastSeq, seq);
  }

  /** Change-hub consumer (one node): every created Observation enters the ring and reaches its listeners. */
  handle(batch: Change[]): void {
    if (!this.stream) this.corked(() => this.fanOut(batch));
  }

  /** Several nodes: one message of the fan-out's stream, with its sequence. */
  handleSequenced(batch: Change[], seq: number): void {
    this.lastSeq = seq;
    this.lastIndex = Math.max(0, batch.length - 1);
    for (const c of batch) if (c.e === 'Observation' && c.id > this.maxId) this.maxId = c.id;
    this.corked(() => this.fanOut(batch, seq));
  }

  /** One write per client and batch instead of one per event (each would be a chunk and a syscall). */
  private corked(fn: () => void): void {
    for (const cl of this.clients) cl.res.cork();
    try {
      fn();
    } finally {
      for (const cl of this.clients) cl.res.uncork();
    }
  }

  private fanOut(batch: Change[], seq?: number): void {
    for (let i = 0; i < batch.length; i++) {
      const entry = entryOf(batch[i]!, seq === undefined ? undefined : [seq, i]);
      if (!entry) continue;
      this.ring[this.head] = entry;
      this.head = (this.head + 1) % this.ring.length;
      const key = streamKey(entry.o);
      if (key === null) continue;
      const listeners = this.byStream.get(key);
      if (listeners) for (const cl of listeners) this.send(cl, entry);
    }
  }

  register(app: FastifyInstance): void {
    app.get('/api/live', async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      const streams = await streamsOf(q, req.principal, this.sensing, this.cache, this.root);
      const last = parseCursor(req.headers['last-event-id'] ?? q.lastEventId);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write('retry: 2000\n\n');
      const cl: LiveClient = { res, streams, held: last === null ? null : [], after: null };
      this.add(cl);
      res.on('close', () => this.remove(cl));
      if (last === null) {
        // Where it starts: a client cut off before its first event resumes from here.
        const at = this.checkpoint();
        if (at) res.write(at);
        return;
      }
      // A resume that failed (the database or NATS gone) must not go on as if nothing was missed:
      // the stream ends, and the client reconnects with the same Last-Event-ID. So does one that
      // sent `replayMax` events: the client reconnects from the last of them.
      const end = () => {
        this.remove(cl); // before end(): a live event written after it would be an error on the response
        res.end();
      };
      await this.replay(cl, last).then(
        (complete) => complete || end(),
        (err: unknown) => {
          req.log.error({ err }, 'live push: resume failed; the stream ends for the client to try again');
          end();
        },
      );
    });
    // Keeps proxies from closing a quiet stream, and moves its client's Last-Event-ID up to what
    // this hub has handled: a quiet client resumes from there, not from its last event long ago.
    this.heartbeat = setInterval(() => {
      const at = this.checkpoint();
      const here: Pos = [this.lastSeq, this.lastIndex];
      for (const cl of this.clients) {
        // Not for a client in a replay, nor for one that came from a node further on than this one.
        const ok = at && !cl.held && !(cl.after && before(here, cl.after));
        cl.res.write(ok ? at : ': ping\n\n');
      }
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const cl of this.clients) cl.res.end();
    this.clients.clear();
    this.byStream.clear();
  }

  private add(cl: LiveClient): void {
    this.clients.add(cl);
    for (const id of cl.streams) {
      let set = this.byStream.get(id);
      if (!set) {
        set = new Set();
        this.byStream.set(id, set);
      }
      set.add(cl);
    }
    this.metrics.liveClients.set(this.clients.size);
  }

  private remove(cl: LiveClient): void {
    if (!this.clients.delete(cl)) return;
    for (const id of cl.streams) {
      const set = this.byStream.get(id);
      set?.delete(cl);
      if (set?.size === 0) this.byStream.delete(id);
    }
    this.metrics.liveClients.set(this.clients.size);
  }

  private send(cl: LiveClient, e: Entry): void {
    if (cl.held) {
      // A client whose replay cannot keep up with what comes meanwhile is cut off; it resumes.
      if (cl.held.length >= MAX_HELD) this.cutOff(cl);
      else cl.held.push(e);
      return;
    }
    if (cl.after && e.pos && !before(cl.after, e.pos)) return;
    if (cl.res.writableLength > this.share()) {
      this.cutOff(cl);
      return;
    }
    e.text ??= this.eventText(e);
    cl.res.write(e.text);
  }

  /** A client that does not keep up is cut off (it resumes with Last-Event-ID, at its own pace). */
  private cutOff(cl: LiveClient): void {
    this.remove(cl);
    cl.res.destroy();
    this.metrics.liveCutOff.inc();
  }

  /**
   * An event id without data (a browser's EventSource takes it as its Last-Event-ID and fires no
   * event) for the place of the last change this hub handled: every client not in a replay has had
   * all it follows up to there. One node: the last event in the ring (none while it is empty).
   * Several nodes: the stream's last message handled, with the largest Observation id handled so
   * far for a resume from the database.
   */
  private checkpoint(): string | null {
    if (this.stream) return this.maxId ? `id: ${formatCursor(this.maxId, [this.lastSeq, this.lastIndex])}\n\n` : null;
    const e = this.ring[(this.head + this.ring.length - 1) % this.ring.length];
    return e ? `id: ${formatCursor(e.id, undefined, e.w)}\n\n` : null;
  }

  private eventText(e: Entry): string {
    const body = renderObservation(this.root(), e.id, e.o);
    if (e.o.ds !== null) body.Datastream = { '@iot.id': e.o.ds };
    else body.MultiDatastream = { '@iot.id': e.o.mds };
    return `id: ${formatCursor(e.id, e.pos, e.w)}\nevent: observation\ndata: ${JSON.stringify(body)}\n\n`;
  }

  /**
   * Sends what came after the client's last event: from the ring when it still holds all of it,
   * else from the fan-out's stream (several nodes), else from the database.
   *
   * Several nodes: events are numbered by their place in the stream, which is the same on every
   * node, so what came after is exact on any node. A node behind the one the client left holds
   * back what the client already had.
   *
   * One node: ids do not always arrive in order (PostgreSQL's two commit lanes, a deep insert beside
   * MQTT ingest), so where the ring holds the event `last` itself, what follows it there is sent,
   * lower ids included, as well as any higher id (one that came before it in the ring may come
   * twice). Past the ring, or after a restart, the database has what followed above the id where
   * every lower one had come before `last` (its `~w`): nothing is missed, and what came between is
   * sent again.
   *
   * False when it stopped at `replayMax` events: the caller ends the stream, and the client resumes
   * from the last event it got (a replay read from the database numbers its events so that the
   * resume misses nothing that committed out of id order while it read).
   */
  private async replay(cl: LiveClient, last: Cursor): Promise<boolean> {
    const sent = new Set<number>();
    // A long replay waits for the client to read (instead of overflowing its share and being cut off).
    const write = async (e: Entry) => {
      if (cl.res.destroyed) throw new Gone();
      sent.add(e.id);
      e.text ??= this.eventText(e);
      cl.res.write(e.text);
      if (e.pos) cl.after = e.pos;
      if (cl.res.writableLength > this.share() / 2) await drained(cl.res);
    };
    const wanted = (e: Entry) => {
      const key = streamKey(e.o);
      return key !== null && cl.streams.has(key);
    };
    try {
      const found = this.stream ? (last.pos ? await this.replayStream(cl, last, last.pos, wanted, write) : 'missing') : await this.replayRing(last.id, wanted, write);
      if (found === 'capped') return false;
      if (found === 'missing') {
        cl.after = null;
        const streamIds = idsOf(cl.streams);
        let after = last.after;
        for (let total = 0; ; ) {
          // Every id at or below it committed before the read, so this page or an earlier one has it.
          const settled = this.sensing.settled;
          const page = Math.min(DB_PAGE, this.replayMax - total);
          const rows = await loadSince(this.sensing.db, after, streamIds, page);
          for (const [id, o] of rows) await write({ id, o, w: settled < id - 1 ? settled : undefined });
          total += rows.length;
          if (rows.length < page) break;
          if (total >= this.replayMax) return false;
          after = rows[rows.length - 1]![0];
        }
      }
      // The live events that came meanwhile, unless replayed (or, several nodes, before what was).
      for (let held = cl.held!; held.length; held = cl.held!) {
        cl.held = [];
        for (const e of held) {
          // One node: these came after `last`, so none of them is at or below its settled id (see AnnouncedIds).
          const fresh = e.pos ? !cl.after || before(cl.after, e.pos) : true;
          if (fresh && !sent.has(e.id)) await write(e);
        }
      }
    } catch (err) {
      if (!(err instanceof Gone)) throw err;
    } finally {
      cl.held = null;
    }
    return true;
  }

  /** The ring's events, oldest first. */
  private recent(): Entry[] {
    const n = this.ring.length;
    const out: Entry[] = [];
    for (let i = 0; i < n; i++) {
      const e = this.ring[(this.head + i) % n];
      if (e) out.push(e);
    }
    return out;
  }

  /** One node: whether the ring holds what followed `last` (see `replay`); it holds fewer than `replayMax`. */
  private async replayRing(last: number, wanted: (e: Entry) => boolean, write: (e: Entry) => Promise<void>): Promise<Replayed> {
    const all = this.recent();
    const at = all.findLastIndex((e) => e.id === last);
    // Not there: it left the ring, or it came before this hub began (a restart), and what followed
    // it may be nowhere but in the database.
    if (at < 0) return 'missing';
    for (let i = 0; i < all.length; i++) {
      const e = all[i]!;
      if (wanted(e) && (i > at || e.id > last)) await write(e);
    }
    return 'all';
  }

  /**
   * Several nodes: what followed `from`, from the ring or the stream. When the stream holds it but
   * more than a resume reads, what it read gives the lower ids that came after the client's last
   * event (another node's, committed at the moment of the break), and the database the rest
   * ('missing': above the last id).
   */
  private async replayStream(cl: LiveClient, last: Cursor, from: Pos, wanted: (e: Entry) => boolean, write: (e: Entry) => Promise<void>): Promise<Replayed> {
    cl.after = from;
    // The client comes from a node further on: this one holds back what it had (see `send`).
    if (from[0] > this.lastSeq) return 'all';
    // In stream order: they came in it (those from before the fan-out started have no place).
    const all = this.recent().filter((e): e is Entry & { pos: Pos } => !!e.pos);
    if (all.length && !before(from, all[0]!.pos)) {
      for (const e of all) if (before(from, e.pos) && wanted(e)) await write(e);
      return 'all';
    }
    const found: Entry[] = [];
    const lower: Entry[] = [];
    let capped = false;
    const upTo = await this.stream!.history(from[0], this.lastSeq, (batch, seq) => {
      batch.forEach((c, i) => {
        const e = entryOf(c, [seq, i]);
        if (!e || !before(from, e.pos!) || !wanted(e)) return;
        if (e.id < last.id) lower.push(e);
        if (found.length < this.replayMax) found.push(e);
        else capped = true;
      });
    });
    if (upTo === null) return 'missing';
    if (upTo < this.lastSeq) {
      for (const e of lower) await write(e);
      return 'missing';
    }
    for (const e of found) await write(e);
    return capped ? 'capped' : 'all';
  }
}

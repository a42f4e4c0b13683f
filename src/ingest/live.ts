import type { ServerResponse } from 'node:http';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { can, type Principal } from '../auth/roles.ts';
import { AppError } from '../core/errors.ts';
import type { SensingService } from '../sensing/sensing.service.ts';
import { type Change, loadSince, type ObsSnapshot, renderObservation } from './changes.ts';
import type { IngestMetrics } from './metrics.ts';
import type { StreamCache } from './stream-cache.ts';

interface Entry {
  id: number;
  o: ObsSnapshot;
  text?: string;
}

interface LiveClient {
  readonly res: ServerResponse;
  readonly streams: ReadonlySet<number>;
  /** While replaying after a reconnect: live events held back, then sent unless already replayed. */
  held: Entry[] | null;
  replayed: Set<number> | null;
}

const MAX_STREAMS = 1000;
const DB_PAGE = 5000;
const DB_MAX = 200_000;
/** A client whose socket holds more than this unsent is cut off; it resumes with Last-Event-ID. */
const MAX_BUFFERED = 8 * 1024 * 1024;

/**
 * Live push for the web app: `GET /api/live?datastreams=1,2` (or `things=3,4`, or `filter=` a
 * SensorThings $filter on Datastreams, for an area or a sector) is a Server-Sent Events stream of
 * new Observations, each event `id:` being the Observation id. A client that
 * reconnects with `Last-Event-ID` gets what it missed: from a bounded in-memory ring of recent
 * events when they are all still there (what followed its last event there), else from the
 * database (id > last id).
 */
export class LiveHub {
  private readonly ring: (Entry | undefined)[];
  private head = 0;
  /** Largest id that has left the ring: a resume from below it needs the database. */
  private evictedMax = 0;
  private readonly byStream = new Map<number, Set<LiveClient>>();
  private readonly clients = new Set<LiveClient>();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    private readonly sensing: SensingService,
    private readonly cache: StreamCache,
    private readonly metrics: IngestMetrics,
    private readonly root: () => string,
    capacity = 20_000,
  ) {
    this.ring = new Array(capacity);
  }

  /** Change-hub consumer: every created Observation enters the ring and reaches its listeners. */
  handle(batch: Change[]): void {
    // One write per client and batch instead of one per event (each would be a chunk and a syscall).
    for (const cl of this.clients) cl.res.cork();
    try {
      this.fanOut(batch);
    } finally {
      for (const cl of this.clients) cl.res.uncork();
    }
  }

  private fanOut(batch: Change[]): void {
    for (const c of batch) {
      if (c.e !== 'Observation' || c.k !== 'create' || !c.o) continue;
      const entry: Entry = { id: c.id, o: c.o };
      const old = this.ring[this.head];
      if (old && old.id > this.evictedMax) this.evictedMax = old.id;
      this.ring[this.head] = entry;
      this.head = (this.head + 1) % this.ring.length;
      if (c.o.ds === null) continue;
      const listeners = this.byStream.get(c.o.ds);
      if (listeners) for (const cl of listeners) this.send(cl, entry);
    }
  }

  register(app: FastifyInstance): void {
    app.get('/api/live', async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      const streams = await this.streamsOf(q, req.principal);
      const lastHeader = req.headers['last-event-id'] ?? q.lastEventId;
      const last = typeof lastHeader === 'string' && /^\d{1,15}$/.test(lastHeader) ? Number(lastHeader) : null;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write('retry: 2000\n\n');
      const cl: LiveClient = { res, streams, held: last === null ? null : [], replayed: null };
      this.add(cl);
      res.on('close', () => this.remove(cl));
      if (last !== null) await this.replay(cl, last);
    });
    this.heartbeat = setInterval(() => {
      for (const cl of this.clients) cl.res.write(': ping\n\n');
    }, 15_000);
    this.heartbeat.unref();
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const cl of this.clients) cl.res.end();
    this.clients.clear();
    this.byStream.clear();
  }

  /** The Datastreams a request names: its ids, its Things' streams, and those its filter matches. */
  private async streamsOf(q: Record<string, string | undefined>, principal: Principal | null): Promise<Set<number>> {
    const ids = (v: string | undefined, what: string) => {
      if (!v) return [];
      const parts = v.split(',');
      if (parts.length > MAX_STREAMS || parts.some((p) => !/^\d{1,15}$/.test(p))) throw new AppError('BAD_REQUEST', `${what} takes up to ${MAX_STREAMS} ids like 1,2,3`);
      return parts.map(Number);
    };
    const out = new Set(ids(q.datastreams, 'datastreams'));
    const things = ids(q.things, 'things');
    const filter = q.filter?.trim();
    if (out.size === 0 && things.length === 0 && !filter) {
      throw new AppError('BAD_REQUEST', "Name what to follow: ?datastreams=1,2, ?things=3, or ?filter= a $filter on Datastreams (e.g. Thing/properties/sector eq 'tài nguyên nước')");
    }
    if (things.length) {
      const r = await sql<{ id: number; thing_id: number }>`SELECT id, thing_id FROM datastreams WHERE thing_id IN (${sql.join(things)})`.execute(this.sensing.db.kysely);
      for (const row of r.rows) out.add(Number(row.id));
    }
    if (filter) {
      // The SensorThings read itself: the same filter language, limits and visibility rules as GET /v1.1/Datastreams.
      const r = await this.sensing.get({ principal, root: this.root() }, 'Datastreams', new URLSearchParams({ $filter: filter, $select: 'id', $top: String(MAX_STREAMS), $orderby: 'id' }));
      const body = r.body as { value: { '@iot.id': number }[]; '@iot.nextLink'?: string };
      if (body['@iot.nextLink']) throw new AppError('BAD_REQUEST', `More than ${MAX_STREAMS} Datastreams match the filter; narrow it`);
      for (const d of body.value) out.add(d['@iot.id']);
      if (out.size === 0) throw new AppError('NOT_FOUND', 'No Datastream matches the filter');
    }
    if (out.size > MAX_STREAMS) throw new AppError('BAD_REQUEST', `At most ${MAX_STREAMS} Datastreams per stream`);
    const anonymous = !can(principal, 'read:private');
    for (const id of out) {
      const s = await this.cache.stream('d', id);
      // Private streams are indistinguishable from absent ones for anonymous callers, as over HTTP.
      if (!s || (anonymous && !s.isPublic)) throw new AppError('NOT_FOUND', `No Datastream(${id})`);
    }
    return out;
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
      cl.held.push(e);
      return;
    }
    if (cl.replayed?.has(e.id)) return;
    if (cl.res.writableLength > MAX_BUFFERED) {
      cl.res.destroy();
      return;
    }
    e.text ??= this.eventText(e);
    cl.res.write(e.text);
  }

  private eventText(e: Entry): string {
    const body = renderObservation(this.root(), e.id, e.o);
    body.Datastream = { '@iot.id': e.o.ds };
    return `id: ${e.id}\nevent: observation\ndata: ${JSON.stringify(body)}\n\n`;
  }

  /**
   * Sends what came after `last`: from the ring when it still holds all of it, else from the
   * database. Ids do not always arrive in order (PostgreSQL's two commit lanes, other nodes'
   * commits through NATS), so where the ring holds the event `last` itself, what follows it there
   * is sent, lower ids included, as well as any higher id: on the node that sent `last`, nothing is
   * lost (an event whose id passed another's may come twice); on another node, whose order differs,
   * an event committed elsewhere around the break with a lower id can be.
   */
  private async replay(cl: LiveClient, last: number): Promise<void> {
    const sent = new Set<number>();
    const write = (e: Entry) => {
      sent.add(e.id);
      e.text ??= this.eventText(e);
      cl.res.write(e.text);
    };
    const n = this.ring.length;
    const at = (i: number) => this.ring[(this.head + i) % n];
    const wanted = (e: Entry | undefined): e is Entry => !!e && e.o.ds !== null && cl.streams.has(e.o.ds);
    try {
      let from = -1;
      for (let i = n - 1; i >= 0; i--) {
        const e = at(i);
        if (!e) break;
        if (e.id === last) {
          from = i + 1;
          break;
        }
      }
      if (from >= 0 || last >= this.evictedMax) {
        for (let i = 0; i < n; i++) {
          const e = at(i);
          if (wanted(e) && ((from >= 0 && i >= from) || e.id > last)) write(e);
        }
      } else {
        let after = last;
        for (let total = 0; total < DB_MAX; ) {
          const rows = await loadSince(this.sensing.db, after, [...cl.streams], DB_PAGE);
          for (const [id, o] of rows) write({ id, o });
          total += rows.length;
          if (rows.length < DB_PAGE) break;
          after = rows[rows.length - 1]![0];
        }
      }
    } finally {
      const held = cl.held ?? [];
      cl.held = null;
      cl.replayed = sent;
      for (const e of held) if (e.id > last) this.send(cl, e);
      cl.replayed = null;
    }
  }
}

/** Helpers of the live-push tests: an SSE client as EventSource reads a stream, and a LiveHub on a server of its own. */
import Fastify from 'fastify';
import type { TestPlatform } from '../testing/platform.ts';
import type { Change } from './changes.ts';
import { LiveHub, type LiveOptions } from './live.ts';

export interface Ev {
  id: number;
  /** The event id as sent (with several nodes `<id>@<seq>.<index>`). */
  raw: string;
  data: { '@iot.id': number; result: unknown; Datastream: { '@iot.id': number } };
}

/** Opens an SSE stream; `next(n)` waits for n more events. */
export async function sse(url: string, headers: Record<string, string> = {}) {
  const ac = new AbortController();
  const res = await fetch(url, { headers, signal: ac.signal });
  const events: Ev[] = [];
  /** The last event id the server sent, as EventSource keeps it: an event's, or one sent without data (where the stream stands). */
  let lastId: string | null = null;
  let taken = 0;
  const done = (async () => {
    if (!res.body) return;
    const dec = new TextDecoder();
    let buf = '';
    try {
      const reader = res.body.getReader();
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        buf += dec.decode(value, { stream: true });
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const id = /^id: ((\d+)(?:@\d+\.\d+|~\d+)?)$/m.exec(block);
          const data = /^data: (.*)$/m.exec(block);
          if (id) lastId = id[1]!;
          if (id && data) events.push({ id: Number(id[2]), raw: id[1]!, data: JSON.parse(data[1]!) });
        }
      }
    } catch {
      /* aborted */
    }
  })();
  return {
    status: res.status,
    events,
    get lastId() {
      return lastId;
    },
    /** Waits until the last event id is `want` (or, without it, any). */
    async lastIdBecomes(want?: string, timeoutMs = 3000): Promise<string> {
      for (const deadline = Date.now() + timeoutMs; lastId === null || (want !== undefined && lastId !== want); ) {
        if (Date.now() > deadline) throw new Error(`last event id ${String(lastId)}, expected ${want ?? 'one'}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return lastId;
    },
    /** Resolves when the server ends the stream (or it is closed here). */
    ended: done,
    /** How many events came, after a pause in which anything more would have come too. */
    async settled(): Promise<number> {
      await new Promise((r) => setTimeout(r, 100));
      return events.length;
    },
    async next(n = 1, timeoutMs = 3000): Promise<Ev[]> {
      const deadline = Date.now() + timeoutMs;
      while (events.length < taken + n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} more events, got ${events.length - taken}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const out = events.slice(taken, taken + n);
      taken += n;
      return out;
    },
    async close() {
      ac.abort();
      await done;
    },
  };
}

/** A LiveHub of the test's own (fed by hand or hooked up by the test) on a server of its own; its `url` follows `datastream`. */
export async function liveHubOfItsOwn(t: TestPlatform, datastream: number, opts: LiveOptions = {}) {
  const app = Fastify();
  app.decorateRequest('principal', null);
  const hub = new LiveHub(t.p.sensing, t.p.ingest.cache, t.p.ingest.metrics, () => 'http://x/v1.1', opts);
  hub.register(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/live?datastreams=${datastream}`;
  const close = async () => {
    hub.close();
    await app.close();
  };
  return { hub, url, close };
}

/** A created Observation of Datastream `ds` as the change hub hands it on (its result: `result`). */
export function observationChange(ds: number, id: number, result: unknown): Change {
  return { e: 'Observation', id, k: 'create', o: { ds, mds: null, foi: 1, ps: Date.now(), pe: null, rt: null, result, rq: null, vs: null, ve: null, params: null } };
}

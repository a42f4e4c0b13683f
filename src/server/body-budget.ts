import type { FastifyInstance } from 'fastify';
import { Gauge, type Registry } from 'prom-client';

/**
 * An amount taken in arrival order: a taker waits until its share fits beside those admitted, and
 * one larger than the whole budget goes in alone. Request bodies take their bytes from one (below);
 * GETs whose answers can be large take a turn at being built from another (answer-budget.ts).
 */
export class Budget {
  private used = 0;
  private readonly waiting: { bytes: number; admit: () => void }[] = [];

  constructor(readonly capacity: number) {}

  /** Bytes admitted, and requests waiting (for /metrics). */
  get load(): { bytes: number; waiting: number } {
    return { bytes: this.used, waiting: this.waiting.length };
  }

  /** Resolves, once `bytes` fit (at most the capacity), with the function that gives them back. */
  async acquire(bytes: number): Promise<() => void> {
    const n = Math.min(bytes, this.capacity);
    if (this.waiting.length === 0 && this.used + n <= this.capacity) this.used += n;
    else await new Promise<void>((admit) => this.waiting.push({ bytes: n, admit }));
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.used -= n;
      this.admitNext();
    };
  }

  private admitNext(): void {
    while (this.waiting.length > 0 && this.used + this.waiting[0]!.bytes <= this.capacity) {
      const w = this.waiting.shift()!;
      this.used += w.bytes;
      w.admit();
    }
  }
}

/**
 * Bytes of request bodies that may be read and handled at once. A body costs the server many times
 * its size while it is parsed, written and answered (a CreateObservations of 3.4 MiB: 136 MiB more
 * RSS), so without a bound forty such requests at once took the server to 2.7 GiB
 * (`npm run bench:bodies`). A waiting request's body is not read, so TCP slows its sender, as the
 * MQTT side stops reading a publisher's socket.
 *
 * Every request with a body takes its size from `budget` before the body is read (its
 * Content-Length, or the route's body limit when it is sent in chunks) and gives it back when its
 * response is done or its connection closes. A body announced above the route's limit is refused
 * (413) without being read, so it takes nothing.
 */
export function limitBodiesInFlight(app: FastifyInstance, budget: Budget, registry: Registry): void {
  new Gauge({
    name: 'cantho_http_body_bytes',
    help: 'Request bodies being read and handled, in bytes (at most CANTHO_BODY_BUFFER, or one larger body alone)',
    registers: [registry],
    collect() {
      this.set(budget.load.bytes);
    },
  });
  new Gauge({
    name: 'cantho_http_bodies_waiting',
    help: 'Requests whose body waits, unread, for room in CANTHO_BODY_BUFFER',
    registers: [registry],
    collect() {
      this.set(budget.load.waiting);
    },
  });
  app.addHook('onRequest', async (req, reply) => {
    const limit = req.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? budget.capacity;
    const length = req.headers['content-length'];
    const bytes = length !== undefined ? Number(length) : req.headers['transfer-encoding'] ? limit : 0;
    if (!(bytes > 0) || bytes > limit) return;
    let gone = false;
    let release: (() => void) | null = null;
    reply.raw.once('close', () => {
      gone = true;
      release?.();
    });
    release = await budget.acquire(bytes);
    if (gone) release();
  });
}

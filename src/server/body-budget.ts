import type { FastifyInstance } from 'fastify';
import { Gauge, type Registry } from 'prom-client';
import { Budget, holdWhileOpen } from './budget.ts';

/** Bytes of bodies of requests without a key read and handled at once (besides CANTHO_BODY_BUFFER). */
export const ANONYMOUS_BODY_BUFFER = 1024 * 1024;

/**
 * Bytes of request bodies that may be read and handled at once. A body costs the server many times
 * its size while it is parsed, written and answered (a CreateObservations of 3.4 MiB: 136 MiB more
 * RSS), so without a bound forty such requests at once took the server to 2.7 GiB
 * (`npm run bench:bodies`). A waiting request's body is not read, so TCP slows its sender, as the
 * MQTT side stops reading a publisher's socket.
 *
 * Every request with a body takes its size from a budget before the body is read (its
 * Content-Length, or the route's body limit when it is sent in chunks) and gives it back when its
 * response is done or its connection closes. A body announced above the route's limit is refused
 * (413) without being read, so it takes nothing.
 *
 * Requests without a key take from a budget of their own (ANONYMOUS_BODY_BUFFER): before, one
 * anonymous connection that announced a body of 16 MiB and sent a few bytes of it held the whole
 * budget, and every write of every device over HTTP waited behind it. (Anonymous callers cannot
 * write entities; what they send is small: reads in `$batch`, a witness's cosigned checkpoint.)
 * And a body must arrive within CANTHO_REQUEST_TIMEOUT_MS (app.ts), so that no caller holds a
 * share for ever.
 */
export function limitBodiesInFlight(app: FastifyInstance, signedIn: Budget, registry: Registry): void {
  const anonymous = new Budget(ANONYMOUS_BODY_BUFFER);
  const load = () => ({ bytes: signedIn.load.bytes + anonymous.load.bytes, waiting: signedIn.load.waiting + anonymous.load.waiting });
  new Gauge({
    name: 'cantho_http_body_bytes',
    help: 'Request bodies being read and handled, in bytes (at most CANTHO_BODY_BUFFER, and 1 MiB for requests without a key, or one larger body alone)',
    registers: [registry],
    collect() {
      this.set(load().bytes);
    },
  });
  new Gauge({
    name: 'cantho_http_bodies_waiting',
    help: 'Requests whose body waits, unread, for room in CANTHO_BODY_BUFFER',
    registers: [registry],
    collect() {
      this.set(load().waiting);
    },
  });
  app.addHook('onRequest', async (req, reply) => {
    const limit = req.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? signedIn.capacity;
    const length = req.headers['content-length'];
    const bytes = length !== undefined ? Number(length) : req.headers['transfer-encoding'] ? limit : 0;
    if (!(bytes > 0) || bytes > limit) return;
    await holdWhileOpen(reply.raw, req.principal ? signedIn : anonymous, bytes);
  });
}

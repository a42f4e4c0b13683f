import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import { AppError, ERROR_CODES } from '../core/errors.ts';
import { Budget, holdWhileOpen } from './budget.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route's GET answers can be large: true for every one, or a test of the request (its page
     * size, `$expand`). Each client address gets a few at a time (CANTHO_ANSWERS_PER_CLIENT), and
     * CANTHO_ANSWERS_AT_ONCE are built at once.
     */
    largeAnswers?: boolean | ((req: FastifyRequest) => boolean);
    /** How the route answers an error it did not throw itself (503 BUSY): sets the status and type, returns the body. The platform's `{code, message}` if not set. */
    errorAnswer?: (e: AppError, reply: FastifyReply) => string;
  }
}

/**
 * Answers go out in parts of this size; smaller answers go out whole and are not counted (they fit
 * in a socket's kernel buffer, so a client that does not read them holds nothing of the server's).
 */
export const ANSWER_PART = 64 * 1024;

const BUSY_MESSAGE = `${ERROR_CODES.BUSY.message}: the server holds as many answers not yet read by their clients as it may (CANTHO_ANSWER_BUFFER)`;

/** Entities of a SensorThings page up to which a read without `$expand` is small: it is neither held for a turn nor for a place. */
export const SMALL_PAGE = 100;

function platformError(e: AppError, reply: FastifyReply): string {
  reply.code(e.status).type('application/json; charset=utf-8');
  return JSON.stringify({ code: e.code, message: e.message });
}

/** An answer's bytes in parts of ANSWER_PART, each handed on when the socket wants more. */
class Parts extends Readable {
  private at = 0;

  constructor(
    private readonly data: Buffer,
    private readonly onPull: () => void,
  ) {
    super({ highWaterMark: ANSWER_PART });
  }

  override _read(): void {
    this.onPull();
    if (this.at >= this.data.length) {
      this.push(null);
      return;
    }
    const end = Math.min(this.at + ANSWER_PART, this.data.length);
    this.push(this.data.subarray(this.at, end));
    this.at = end;
  }
}

/**
 * - A GET of a `largeAnswers` route (where that is a test, one it says may be large) takes one of
 *   its client address's `perClient` turns and keeps it until its answer is sent or its connection
 *   closes; the address's other such GETs wait, unread. A page of 10,000 Observations with
 *   `$expand=Datastream` costs tens of MB while it is built and 9.4 MiB until it is read: without
 *   turns, 600 connections from one address that asked for it and never read took the server to
 *   1.9–5.5 GiB (`npm run bench:slow`), and building their answers held up every other client. Behind a reverse proxy the address is the
 *   one it forwards when CANTHO_TRUST_PROXY names the proxy, else the proxy's own (a proxy reads
 *   answers as fast as they come, so a turn there lasts as long as the answer takes to build).
 * - Such a GET is then built in one of `atOnce` places, whatever its address, held until its
 *   answer is handed to the socket; the others wait. Turns per address do not bound a flood from
 *   many addresses: from 50 addresses, 600 connections that asked for a 9.4 MiB page and never
 *   read took the server to 2.2 GiB with turns and the byte budget alone (all built, most then
 *   refused), as much as without any bound.
 * - A GET the route's test calls small (a page of at most SMALL_PAGE rows without `$expand`) takes
 *   neither, and the route reads it through `aheadOf`, before large reads on SQLite's threads:
 *   under that flood from 50 addresses a client's page of 10 Observations waited behind the 400
 *   large GETs held for places, 35.7 s at p99.
 * - Every answer of ANSWER_PART bytes or more takes its size from `budget` until its connection is
 *   done with it, and goes out part by part as the socket takes them (a client that reads slowly
 *   slows only itself). A GET or HEAD whose answer does not fit is answered 503 BUSY with
 *   Retry-After instead; an answer to a write is never refused (the write has happened), only
 *   counted.
 * - An answer whose client takes no part of it for `sendTimeoutMs` (0: no limit) has its
 *   connection cut, as nginx's `send_timeout` does, so that clients which stopped reading give
 *   back their turns and bytes.
 */
export function limitAnswersInFlight(app: FastifyInstance, budget: Budget, limits: { perClient: number; atOnce: number; sendTimeoutMs: number }, registry: Registry): void {
  const { perClient, atOnce, sendTimeoutMs } = limits;
  const turns = new Map<string, Budget>();
  const building = new Budget(atOnce);
  const built = new WeakMap<object, () => void>();
  new Gauge({
    name: 'cantho_http_answer_bytes',
    help: 'Answers of 64 KiB or more being sent, in bytes not yet taken by their sockets (at most CANTHO_ANSWER_BUFFER, or one larger answer alone)',
    registers: [registry],
    collect() {
      this.set(budget.load.bytes);
    },
  });
  new Gauge({
    name: 'cantho_http_answers_waiting',
    help: 'GETs waiting for one of their client address turns, or to be built (routes whose answers can be large)',
    registers: [registry],
    collect() {
      let n = building.load.waiting;
      for (const t of turns.values()) n += t.load.waiting;
      this.set(n);
    },
  });
  const refused = new Counter({ name: 'cantho_http_answers_refused_total', help: 'GET answers refused (503 BUSY) for want of room in CANTHO_ANSWER_BUFFER', registers: [registry] });
  const cut = new Counter({ name: 'cantho_http_answers_cut_off_total', help: 'Connections cut because their client took no part of an answer for CANTHO_SEND_TIMEOUT_MS', registers: [registry] });

  app.addHook('onRequest', async (req, reply) => {
    const large = req.routeOptions.config.largeAnswers;
    if (!large || (req.method !== 'GET' && req.method !== 'HEAD') || (typeof large === 'function' && !large(req))) return;
    const address = req.ip;
    const client = turns.get(address) ?? new Budget(perClient);
    turns.set(address, client);
    const leave = () => {
      if (client.load.bytes === 0 && client.load.waiting === 0 && turns.get(address) === client) turns.delete(address);
    };
    const turn = await holdWhileOpen(reply.raw, client, 1);
    if (!turn) return leave();
    reply.raw.once('close', leave);
    const place = await holdWhileOpen(reply.raw, building, 1);
    if (place) built.set(req, place);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    built.get(req)?.();
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
    // UTF-8 takes at most 3 bytes a UTF-16 unit: a string that short is below a part. A longer one
    // is copied to bytes once (counting them first took another pass: 10 ms for 10 MB).
    if (typeof payload === 'string' && payload.length * 3 < ANSWER_PART) return payload;
    const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const bytes = data.length;
    if (bytes < ANSWER_PART) return data;
    if (!budget.take(bytes, req.method !== 'GET' && req.method !== 'HEAD')) {
      refused.inc();
      reply.header('retry-after', '5');
      return (req.routeOptions.config.errorAnswer ?? platformError)(new AppError('BUSY', BUSY_MESSAGE), reply);
    }
    const res = reply.raw;
    const timer =
      sendTimeoutMs > 0
        ? setTimeout(() => {
            cut.inc();
            req.log.warn({ bytes }, 'client took no part of the answer within CANTHO_SEND_TIMEOUT_MS; connection cut');
            res.destroy();
          }, sendTimeoutMs)
        : null;
    res.once('close', () => {
      if (timer) clearTimeout(timer);
      budget.give(bytes);
    });
    reply.header('content-length', bytes);
    return new Parts(data, () => timer?.refresh());
  });
}

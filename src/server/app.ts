import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { bearerOf, type KeyStore } from '../auth/keys.ts';
import type { Principal } from '../auth/roles.ts';
import type { Config } from '../config/config.ts';
import { AppError, ERROR_CODES, isAppError } from '../core/errors.ts';
import type { Database } from '../storage/database.ts';
import { registerSensingRoutes } from '../sensing/sensing.routes.ts';
import { registerTraceWebRoutes } from '../trace/web/resolver.routes.ts';
import type { SensingService } from '../sensing/sensing.service.ts';
import { LANDING_CSP, LANDING_SCRIPT, LANDING_SCRIPT_PATH, landingPage } from './landing.ts';
import { limitAnswersInFlight } from './answer-budget.ts';
import { limitBodiesInFlight } from './body-budget.ts';
import { Budget } from './budget.ts';
import type { Metrics } from './metrics.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly db: Database;
  readonly keys: KeyStore;
  readonly sensing: SensingService;
  readonly metrics: Metrics;
  /** Extra conformance classes (MQTT, when the ingest module runs). */
  readonly conformance: string[];
}

/** Base of absolute links: CANTHO_PUBLIC_URL behind a proxy, else the request's own host. */
export function baseUrl(config: Config, req: FastifyRequest): string {
  return config.publicUrl ?? `${req.protocol}://${req.host}`;
}

/** Builds the HTTP application (routes of every module, auth, errors, health, metrics). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, metrics } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimit,
    // Node's own default, which Fastify turns off: a body sent a few bytes at a time (holding its
    // share of CANTHO_BODY_BUFFER) is answered 408 once the time is up. Node looks every tenth of
    // it. Given to http.createServer too: set only afterwards, as Fastify does, Node 20 never timed
    // a request out (tried).
    requestTimeout: config.requestTimeoutMs,
    http: { requestTimeout: config.requestTimeoutMs, connectionsCheckingInterval: config.requestTimeoutMs > 0 ? Math.min(30_000, Math.max(100, config.requestTimeoutMs / 10)) : 30_000 },
    // Behind a reverse proxy: the client's address (its turns at large answers, logs), scheme and host.
    trustProxy: config.trustProxy.length ? config.trustProxy : false,
    genReqId: (req) => (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'].length <= 64 ? req.headers['x-request-id'] : crypto.randomUUID()),
    requestIdHeader: false,
    routerOptions: { maxParamLength: 2000 },
  });
  app.decorateRequest('principal', null);
  // JSON bodies: an empty body (e.g. DELETE sent with a JSON content type) is no body, not an error.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(new AppError('INVALID_JSON', `The body is not valid JSON: ${(e as Error).message}`), undefined);
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    const secret = bearerOf(req.headers.authorization);
    if (secret === null) return;
    const p = await deps.keys.authenticate(secret);
    if (!p) throw new AppError('UNAUTHENTICATED', 'The API key is unknown or revoked');
    req.principal = p;
  });
  limitBodiesInFlight(app, new Budget(config.bodyBuffer), metrics.registry);
  limitAnswersInFlight(app, new Budget(config.answerBuffer), { perClient: config.answersPerClient, atOnce: config.answersAtOnce, sendTimeoutMs: config.sendTimeoutMs }, metrics.registry);
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unknown';
    metrics.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ route }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err, req, reply) => {
    if (isAppError(err)) {
      if (err.status >= 500) req.log.error({ err }, 'request failed');
      return reply.status(err.status).send({ code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) });
    }
    const e = err as { statusCode?: number; code?: string; message: string };
    // Fastify's own client errors: bad JSON, body too large, unsupported content type.
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.status(413).send({ code: 'PAYLOAD_TOO_LARGE', message: `The body is larger than ${config.bodyLimit} bytes` });
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.status(415).send({ code: 'UNSUPPORTED_MEDIA_TYPE', message: e.message });
    if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || e.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') return reply.status(400).send({ code: 'BAD_REQUEST', message: e.message });
    if (err instanceof SyntaxError || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return reply.status(400).send({ code: 'INVALID_JSON', message: `The body is not valid JSON: ${e.message}` });
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return reply.status(e.statusCode).send({ code: 'BAD_REQUEST', message: e.message });
    req.log.error({ err }, 'unexpected error');
    return reply.status(500).send({ code: 'INTERNAL', message: ERROR_CODES.INTERNAL.message, requestId: req.id });
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ code: 'NOT_FOUND', message: `No route ${req.method} ${req.url.split('?')[0]}` }));

  app.get('/health', async () => {
    await deps.db.kysely.selectNoFrom((eb) => eb.lit(1).as('ok')).execute();
    return { status: 'ok', database: deps.db.dialect };
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.get('/', async (req, reply) => reply.type('text/html; charset=utf-8').header('content-security-policy', LANDING_CSP).send(landingPage(baseUrl(config, req), config.demo)));
  app.get(LANDING_SCRIPT_PATH, async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(LANDING_SCRIPT));

  await registerSensingRoutes(app, deps);
  // GS1 Digital Link resolver and consumer pages; they call the trace API in-process per request.
  await registerTraceWebRoutes(app, { config });
  return app;
}

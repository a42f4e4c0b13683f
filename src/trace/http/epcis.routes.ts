import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.ts';
import { AppError } from '../../core/errors.ts';
import { baseUrl } from '../../server/app.ts';
import type { CaptureOutcome, CaptureService } from '../capture/capture.service.ts';
import { aheadOf, type Database } from '../../storage/database.ts';
import { deadlineFrom, explainTimeout } from '../../storage/deadline.ts';
import { eventById, queryDocument, queryEvents } from '../query/event-query.ts';
import { DEFAULT_PER_PAGE, epcMatch, pageToken, parseEventQuery } from '../query/query-params.ts';
import { CAPTURE_BYTES_LIMIT, checkVersionHeaders, EPCIS_HEADERS, epcisProblem, negotiate, sendEpcisProblem } from './epcis-headers.ts';
import { captureJobJson, type CaptureJobs } from './capture-jobs.ts';

/** What the EPCIS routes need. */
export interface EpcisRouteDeps {
  readonly config: Config;
  readonly db: Database;
  readonly capture: CaptureService;
  readonly jobs: CaptureJobs;
}

function one(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function behaviourOf(req: FastifyRequest): 'rollback' | 'proceed' {
  const v = one(req, 'gs1-capture-error-behaviour') ?? 'rollback';
  if (v !== 'rollback' && v !== 'proceed') throw new AppError('BAD_REQUEST', 'GS1-Capture-Error-Behaviour must be rollback or proceed');
  return v;
}

/**
 * GS1 EPCIS 2.0 REST binding under /epcis (openapi.yaml of the EPCIS 2.0 artefacts): capture
 * (`POST /capture` → 202 + Location of the job, `GET /capture[/{id}]`, `POST /events` → 201),
 * query (`GET /events`, `/events/{eventID}`, `/epcs/{epc}/events`), discovery (`OPTIONS`).
 * Errors are RFC 7807 problem+json with the EPCIS exception names.
 */
export async function registerEpcisRoutes(app: FastifyInstance, deps: EpcisRouteDeps): Promise<void> {
  await app.register(
    async (scope) => {
      // Keep the exact bytes: the organisation signed them (docs/api/trace.md §1).
      scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser(['application/json', 'application/ld+json'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
      scope.setErrorHandler((err, req, reply) => sendEpcisProblem(err, req, reply));
      scope.setNotFoundHandler((req, reply) => sendEpcisProblem(new AppError('NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0]}`), req, reply));
      scope.addHook('onRequest', async (req, reply) => {
        for (const [k, v] of Object.entries(EPCIS_HEADERS)) reply.header(k, v);
        checkVersionHeaders(req);
      });

      // A capture is announced to the appender as soon as its headers are in (its body may still be
      // arriving), so that the group commit can wait for it; the announcement ends when the capture
      // is queued, fails, or the request ends in any other way.
      const announced = new WeakMap<FastifyRequest, () => void>();
      const release = async (req: FastifyRequest) => {
        announced.get(req)?.();
      };
      const captureHooks = {
        onRequest: async (req: FastifyRequest) => {
          announced.set(req, deps.capture.announce());
        },
        onResponse: release,
        onRequestAbort: release,
      };

      const capture = async (req: FastifyRequest, kind: 'document' | 'event'): Promise<CaptureOutcome> => {
        if (!Buffer.isBuffer(req.body)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the EPCIS JSON as application/json or application/ld+json');
        return deps.capture.capture({
          announced: announced.get(req),
          body: req.body,
          kind,
          behaviour: kind === 'event' ? 'rollback' : behaviourOf(req),
          signatureHeader: one(req, 'cantho-signature'),
          orgHeader: one(req, 'cantho-org'),
          principal: req.principal,
        });
      };

      scope.post('/capture', { bodyLimit: CAPTURE_BYTES_LIMIT, ...captureHooks }, async (req, reply) => {
        const out = await capture(req, 'document');
        return reply.status(202).header('Location', `${baseUrl(deps.config, req)}/epcis/capture/${out.capture.id}`).send(captureJobJson(out.capture, out.signer.orgCode));
      });
      scope.post('/events', { bodyLimit: CAPTURE_BYTES_LIMIT, ...captureHooks }, async (req, reply) => {
        const out = await capture(req, 'event');
        const ev = out.events[0];
        if (!ev) throw new AppError('EPCIS_VALIDATION', 'the event was not stored', { errors: out.capture.errors });
        return reply
          .status(201)
          .header('Location', `${baseUrl(deps.config, req)}/epcis/events/${encodeURIComponent(ev.eventId)}`)
          .type('application/json')
          .send(ev.eventJson);
      });
      scope.get('/capture', async (req, reply) => {
        const q = req.query as Record<string, string | undefined>;
        const page = await deps.jobs.list(req.principal, q.perPage, q.nextPageToken);
        if (page.next) reply.header('Link', `<${baseUrl(deps.config, req)}/epcis/capture?perPage=${page.perPage}&nextPageToken=${page.next}>; rel="next"`);
        return page.jobs;
      });
      scope.get('/capture/:id', async (req) => deps.jobs.get((req.params as { id: string }).id, req.principal));

      // A page of at most the default 30 events is a small read (server/answer-budget.ts).
      const mayBeLarge = (req: FastifyRequest) => !(Number((req.query as { perPage?: string }).perPage ?? DEFAULT_PER_PAGE) <= DEFAULT_PER_PAGE);
      const pages = { largeAnswers: mayBeLarge, errorAnswer: epcisProblem };
      const query = async (req: FastifyRequest, reply: FastifyReply, epc?: string) => {
        const type = negotiate(req);
        let q = parseEventQuery(req.query as Record<string, string>);
        // /epcs/{epc}/events: any EPC field or quantity class naming it.
        if (epc !== undefined) q = { ...q, matches: [...q.matches, epcMatch(epc)] };
        const page = await queryEvents(mayBeLarge(req) ? deps.db : aheadOf(deps.db), q, deadlineFrom(deps.config.queryTimeoutMs)).catch((e: unknown) => {
          throw explainTimeout(e, deps.config.queryTimeoutMs, 'Narrow it with an eventTime window (GE_eventTime, LT_eventTime) or a filter the indexes serve: eventType, EQ_bizStep, EQ_disposition, EQ_readPoint, EQ_bizLocation or an EPC.');
        });
        if (page.next) {
          const url = new URL(req.url, `${baseUrl(deps.config, req)}/`);
          url.searchParams.set('nextPageToken', pageToken(page.next.key, page.next.leaf, q.fingerprint));
          reply.header('Link', `<${baseUrl(deps.config, req)}${url.pathname}${url.search}>; rel="next"`);
        }
        return reply.type(type).send(queryDocument(page.events.map((e) => e.json), new Date().toISOString()));
      };
      scope.get('/events', { config: pages }, (req, reply) => query(req, reply));
      scope.get('/epcs/:epc/events', { config: pages }, (req, reply) => {
        const epc = (req.params as { epc: string }).epc;
        if (epc.length > 1024) throw new AppError('INVALID_PATH', 'the EPC is too long');
        return query(req, reply, epc);
      });
      scope.get('/events/:eventID', async (req, reply) => {
        const type = negotiate(req);
        const ev = await eventById(deps.db, (req.params as { eventID: string }).eventID);
        if (!ev) throw new AppError('NOT_FOUND', 'no event with that eventID');
        return reply.type(type).send(queryDocument([ev.json], new Date().toISOString()));
      });
      for (const [path, allow] of [
        ['/', 'OPTIONS'],
        ['/capture', 'OPTIONS, GET, POST'],
        ['/events', 'OPTIONS, GET, POST'],
      ] as const) {
        scope.options(path, async (_req, reply) => reply.status(204).header('Allow', allow).send());
      }
    },
    { prefix: '/epcis' },
  );
}

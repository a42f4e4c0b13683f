import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.ts';
import { SMALL_PAGE } from '../server/answer-budget.ts';
import { type AppDeps, baseUrl } from '../server/app.ts';
import { registerBatchRoutes } from './batch/batch.routes.ts';
import { jsonInSlices } from './read/json-slices.ts';
import type { CallContext } from './sensing.service.ts';
import { BASE_CONFORMANCE, serviceRoot } from './service-root.ts';

/** Routes of /v1.1: the service root, then every resource path for GET/POST/PATCH/PUT/DELETE. */
export async function registerSensingRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { sensing, config } = deps;
  app.addContentTypeParser('application/json-patch+json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  const ctxOf = (req: FastifyRequest): CallContext => ({ principal: req.principal, root: `${baseUrl(config, req)}/v1.1` });
  const pathOf = (req: FastifyRequest): string => decodeURIPathSafe((req.params as { '*': string })['*']);
  const queryOf = (req: FastifyRequest): URLSearchParams => {
    const q = req.url.indexOf('?');
    return new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1));
  };

  await registerBatchRoutes(app, deps);
  app.get('/v1.1', async (req) => serviceRoot(ctxOf(req).root, [...BASE_CONFORMANCE, ...deps.conformance]));
  app.get('/v1.1/', async (req) => serviceRoot(ctxOf(req).root, [...BASE_CONFORMANCE, ...deps.conformance]));

  // A page of at most SMALL_PAGE entities without $expand is a small read (answer-budget.ts).
  const mayBeLarge = (req: FastifyRequest): boolean => {
    const q = queryOf(req);
    const top = q.get('$top');
    return q.has('$expand') || !((top === null ? config.defaultTop : Number(top)) <= SMALL_PAGE);
  };
  app.get('/v1.1/*', { config: { largeAnswers: mayBeLarge } }, async (req, reply) => {
    const r = await sensing.get({ ...ctxOf(req), small: !mayBeLarge(req) }, pathOf(req), queryOf(req));
    if (r.kind === 'text') return reply.type('text/plain; charset=utf-8').send(r.body);
    return reply.type('application/json; charset=utf-8').send(await jsonInSlices(r.body));
  });

  app.post('/v1.1/*', async (req, reply) => {
    const ctx = ctxOf(req);
    if (pathOf(req) === 'CreateObservations') {
      return reply.status(201).type('application/json; charset=utf-8').send(await sensing.createObservations(ctx, req.body));
    }
    const created = await sensing.create(ctx, pathOf(req), req.body);
    return created201(reply, `${ctx.root}/${created.set}(${created.id})`, await sensing.get({ ...ctx, principal: req.principal ?? null }, `${created.set}(${created.id})`, new URLSearchParams()));
  });

  app.patch('/v1.1/*', async (req, reply) => {
    const jsonPatch = (req.headers['content-type'] ?? '').startsWith('application/json-patch+json');
    await sensing.update(ctxOf(req), pathOf(req), req.body, jsonPatch ? 'json-patch' : 'patch');
    return reply.status(200).send(await readBack(req));
  });
  app.put('/v1.1/*', async (req, reply) => {
    await sensing.update(ctxOf(req), pathOf(req), req.body, 'put');
    return reply.status(200).send(await readBack(req));
  });
  app.delete('/v1.1/*', async (req, reply) => {
    await sensing.delete(ctxOf(req), pathOf(req));
    return reply.status(200).send();
  });

  async function readBack(req: FastifyRequest): Promise<unknown> {
    const r = await sensing.get({ principal: req.principal, root: ctxOf(req).root }, pathOf(req), new URLSearchParams());
    return r.body;
  }
}

/** §10.2: 201 Created with the new entity's URL in Location. */
function created201(reply: FastifyReply, location: string, read: { body: unknown }): FastifyReply {
  return reply.status(201).header('location', location).type('application/json; charset=utf-8').send(read.body);
}

function decodeURIPathSafe(p: string): string {
  if (p.length > 2000) throw new AppError('INVALID_PATH', 'The resource path is too long');
  return p;
}

/**
 * `POST /v1.1/$batch` (OGC 18-088 §11; conformance class req/batch-request): a multipart/mixed
 * batch (OData 4.0 Part 1 §11.7) or a JSON batch (OData JSON Format 4.01 §19). The batch itself is
 * answered 200 once it is well-formed; each request inside has its own status. Every request runs
 * with the caller's key, under the same rules as outside a batch.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.ts';
import { type AppDeps, baseUrl } from '../../server/app.ts';
import type { CallContext } from '../sensing.service.ts';
import { BatchExecutor } from './executor.ts';
import { parseJsonBatch, runJsonBatch } from './json-batch.ts';
import { parseMultipartBatch, runMultipartBatch, writeMultipartBatch } from './multipart-batch.ts';
import { mediaType } from './multipart.ts';

/**
 * Registers the `multipart/mixed` body parser (as text, within Fastify's bodyLimit) and the
 * `$batch` route. The static route takes precedence over the `/v1.1/*` wildcard.
 */
export async function registerBatchRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.addContentTypeParser('multipart/mixed', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post('/v1.1/$batch', async (req, reply) => {
    const ctx: CallContext = { principal: req.principal, root: `${baseUrl(deps.config, req)}/v1.1` };
    const contentType = req.headers['content-type'];
    const type = mediaType(contentType);
    const exec = new BatchExecutor(deps.sensing, ctx, req.log);
    if (type === 'multipart/mixed') {
      const units = parseMultipartBatch(req.body, contentType);
      const out = writeMultipartBatch(await runMultipartBatch(units, exec));
      return reply.status(200).type(out.contentType).send(out.body);
    }
    if (type === 'application/json') {
      const units = parseJsonBatch(req.body);
      return reply.status(200).type('application/json; charset=utf-8').send(await runJsonBatch(units, exec));
    }
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'A batch is multipart/mixed with a boundary (OData 4.0 §11.7) or application/json (OData JSON 4.01 §19)');
  });
}

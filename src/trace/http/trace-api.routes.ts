import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.ts';
import type { ConsumerService } from '../consumer/consumer.service.ts';
import { normaliseGtin } from '../ids.ts';
import { parseLocationInput, parseOrgInput, parseProductInput } from '../orgs/org-input.ts';
import { OrgService } from '../orgs/org.service.ts';

/** What the /trace/api routes need. */
export interface TraceApiDeps {
  readonly orgs: OrgService;
  readonly consumer: ConsumerService;
}

/**
 * `/trace/api`: organisations and their keys, product and location master data (writes need an
 * admin or an organisation-scoped key), and the public consumer endpoints the QR page calls.
 */
export async function registerTraceApiRoutes(app: FastifyInstance, deps: TraceApiDeps): Promise<void> {
  const { orgs, consumer } = deps;
  const admin = (p: Parameters<typeof OrgService.authorise>[0]) => {
    if (!p) throw new AppError('UNAUTHENTICATED');
    if (p.role !== 'admin') throw new AppError('FORBIDDEN', 'only an admin may do this');
  };

  app.get('/trace/api/orgs', async () => orgs.list());
  app.get('/trace/api/orgs/:code', async (req) => orgs.get((req.params as { code: string }).code));
  app.post('/trace/api/orgs', async (req, reply) => {
    admin(req.principal);
    return reply.status(201).send(await orgs.create(parseOrgInput(req.body)));
  });
  app.post('/trace/api/orgs/:code/keys', async (req, reply) => {
    const code = (req.params as { code: string }).code;
    const body = (req.body ?? {}) as { publicKey?: unknown; custodial?: unknown };
    if (body.custodial === true) admin(req.principal);
    else {
      const id = await orgs.repo.orgIdByCode(code);
      if (id === null) throw new AppError('NOT_FOUND', `no organisation "${code}"`);
      OrgService.authorise(req.principal, id);
    }
    const key = await orgs.addKey(code, { publicKey: typeof body.publicKey === 'string' ? body.publicKey : undefined, custodial: body.custodial === true });
    return reply.status(201).send(key);
  });
  app.delete('/trace/api/orgs/:code/keys/:keyId', async (req, reply) => {
    const { code, keyId } = req.params as { code: string; keyId: string };
    const id = await orgs.repo.orgIdByCode(code);
    if (id === null) throw new AppError('NOT_FOUND', `no organisation "${code}"`);
    OrgService.authorise(req.principal, id);
    await orgs.revokeKey(code, keyId);
    return reply.status(204).send();
  });
  app.put('/trace/api/products/:gtin', async (req) => {
    const gtin = normaliseGtin((req.params as { gtin: string }).gtin);
    if (!gtin) throw new AppError('INVALID_PATH', 'the GTIN must have 8, 12, 13 or 14 digits and a valid check digit');
    return orgs.putProduct(gtin, parseProductInput(req.body), req.principal);
  });
  app.get('/trace/api/products/:gtin', async (req) => {
    const gtin = normaliseGtin((req.params as { gtin: string }).gtin);
    const p = gtin ? await orgs.repo.product(gtin) : null;
    if (!p) throw new AppError('NOT_FOUND', 'no such product');
    return p;
  });
  app.put('/trace/api/locations/:gln', async (req) => orgs.putLocation((req.params as { gln: string }).gln, parseLocationInput(req.body), req.principal));

  app.get('/trace/api/lots/:gtin/:lot', async (req, reply) => {
    const { gtin, lot } = req.params as { gtin: string; lot: string };
    const serial = (req.query as { serial?: unknown }).serial;
    if (serial !== undefined && (typeof serial !== 'string' || serial.length === 0 || serial.length > 20)) throw new AppError('INVALID_QUERY_OPTION', 'serial must be 1-20 characters');
    // no-store: the journey and its proofs change as events and checkpoints arrive.
    return reply.header('Access-Control-Allow-Origin', '*').header('Cache-Control', 'no-store').send(await consumer.lot(gtin, lot, (serial as string | undefined) ?? null));
  });
  app.get('/trace/api/events/:eventID/verification', async (req, reply) =>
    reply.header('Access-Control-Allow-Origin', '*').send(await consumer.eventVerification((req.params as { eventID: string }).eventID)),
  );
  app.get('/trace/api/captures/:id', async (req, reply) => reply.header('Access-Control-Allow-Origin', '*').send(await consumer.capture((req.params as { id: string }).id)));
  app.get('/trace/api/trust', async (_req, reply) => reply.header('Access-Control-Allow-Origin', '*').send(consumer.trust()));
}

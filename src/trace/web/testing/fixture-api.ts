import type { FastifyInstance } from 'fastify';
import { JOURNEYS } from './demo-journeys.ts';
import { type DemoLog, lotView } from './lot-fixture.ts';

/**
 * Test stand-in for the part of the trace backend's API the consumer page uses
 * (docs/api/trace.md §4.2 keys, §5 lots, captures), served from a {@link DemoLog}. Lets the web
 * module be tested, in Node and in a browser, without the backend or a database.
 */
export function registerFixtureTraceApi(app: FastifyInstance, log: DemoLog): void {
  app.get('/trace/log/keys', async () => log.pins);
  app.get<{ Params: { gtin: string; lot: string } }>('/trace/api/lots/:gtin/:lot', async (req, reply) => {
    const gtin = req.params.gtin.padStart(14, '0');
    const j = JOURNEYS.findIndex((x) => x.gtin === gtin && x.lot === req.params.lot);
    if (j < 0) return reply.status(404).send({ code: 'NOT_FOUND', message: 'no such lot' });
    return lotView(log, j);
  });
  app.get<{ Params: { id: string } }>('/trace/api/captures/:id', async (req, reply) => {
    const c = log.captures.get(req.params.id);
    if (!c) return reply.status(404).send({ code: 'NOT_FOUND', message: 'no such capture' });
    return { ...c, createdAt: new Date(0).toISOString(), eventCount: 1 };
  });
}

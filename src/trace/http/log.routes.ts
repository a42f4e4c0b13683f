import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../../core/errors.ts';
import type { CheckpointService } from '../ledger/checkpoint.service.ts';
import type { ProofService } from '../ledger/proof.service.ts';

/** What the log routes need. */
export interface LogRouteDeps {
  readonly checkpoints: CheckpointService;
  readonly proofs: ProofService;
  /** Leaf row of an eventID (for proof files), or null. */
  readonly proofFileFor: (eventId: string) => Promise<string | null>;
}

function text(reply: FastifyReply, body: string, cache = 'no-cache'): FastifyReply {
  return reply.type('text/plain; charset=utf-8').header('Cache-Control', cache).header('Access-Control-Allow-Origin', '*').send(body);
}

function int(v: unknown, name: string): number {
  if (typeof v !== 'string' || !/^(0|[1-9]\d{0,15})$/.test(v)) throw new AppError('BAD_REQUEST', `${name} must be a non-negative integer`);
  return Number(v);
}

/**
 * The verifiable log over HTTP: C2SP tlog-tiles read API (`checkpoint`, `tile/<L>/<N>[.p/<W>]`,
 * `tile/entries/…`), RFC 9162 proofs as JSON, cosignature intake from witnesses, the keys to pin,
 * and C2SP tlog-proof files per event. All reads are public and CORS-open: anyone may audit.
 */
export async function registerLogRoutes(app: FastifyInstance, deps: LogRouteDeps): Promise<void> {
  const { checkpoints, proofs } = deps;
  await app.register(async (scope) => {
    scope.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));

    scope.get('/trace/log/checkpoint', async (_req, reply) => {
      const cp = await checkpoints.latest();
      if (!cp) throw new AppError('NOT_FOUND', 'no checkpoint yet (the log is empty)');
      return text(reply, cp.note);
    });
    scope.get('/trace/log/witnessed-checkpoint', async (_req, reply) => {
      const cp = await checkpoints.witnessed();
      if (!cp) throw new AppError('NOT_FOUND', 'no checkpoint has been cosigned by the quorum of trusted witnesses yet');
      return text(reply, cp.note);
    });
    scope.get('/trace/log/checkpoints/:size', async (req, reply) => {
      const cp = await checkpoints.note(int((req.params as { size: string }).size, 'size'));
      if (!cp) throw new AppError('NOT_FOUND', 'no checkpoint was published at that size');
      return text(reply, cp.note);
    });
    scope.get('/trace/log/tile/*', async (req, reply) => {
      const t = await proofs.tile(`tile/${(req.params as { '*': string })['*']}`);
      return reply
        .type('application/octet-stream')
        .header('Cache-Control', t.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .header('Access-Control-Allow-Origin', '*')
        .send(Buffer.from(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength));
    });
    scope.get('/trace/log/proof/inclusion', async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      const index = int(q.index, 'index');
      const size = int(q.size, 'size');
      return reply.header('Access-Control-Allow-Origin', '*').send({ index, size, hashes: await proofs.inclusion(index, size) });
    });
    scope.get('/trace/log/proof/consistency', async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      const from = int(q.from, 'from');
      const to = int(q.to, 'to');
      return reply.header('Access-Control-Allow-Origin', '*').send({ from, to, hashes: await proofs.consistency(from, to) });
    });
    scope.get('/trace/log/keys', async (_req, reply) => reply.header('Access-Control-Allow-Origin', '*').send(checkpoints.trust()));
    scope.post('/trace/log/cosignatures', async (req) => {
      if (typeof req.body !== 'string') throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the cosigned checkpoint note as text/plain');
      return checkpoints.addCosignatures(req.body);
    });
    scope.get('/trace/proofs/*', async (req, reply) => {
      const id = (req.params as { '*': string })['*'];
      if (id.length === 0 || id.length > 1024) throw new AppError('INVALID_PATH', 'give an eventID');
      const file = await deps.proofFileFor(id);
      if (file === null) throw new AppError('NOT_FOUND', 'no event with that eventID');
      return text(reply, file);
    });
  });
}

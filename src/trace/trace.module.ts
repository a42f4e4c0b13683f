import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Database } from '../storage/database.ts';
import { type AuditReport, auditLog } from './audit/audit.ts';
import { CaptureService } from './capture/capture.service.ts';
import { PreparePool } from './capture/prepare-pool.ts';
import { ConsumerService } from './consumer/consumer.service.ts';
import { CaptureJobs } from './http/capture-jobs.ts';
import { registerEpcisRoutes } from './http/epcis.routes.ts';
import { registerLogRoutes } from './http/log.routes.ts';
import { registerTraceApiRoutes } from './http/trace-api.routes.ts';
import { LogAppender } from './ledger/appender.ts';
import { CheckpointService } from './ledger/checkpoint.service.ts';
import { createLedgerStore, type LedgerStore } from './ledger/ledger-store.ts';
import { loadLogIdentity, type TrustConfig, trustedWitness } from './ledger/log-identity.ts';
import { ProofService } from './ledger/proof.service.ts';
import { OrgService } from './orgs/org.service.ts';
import { ensureSetting } from './settings.ts';

/** The traceability module as the platform holds it (docs/api/trace.md). */
export interface TraceModule {
  readonly orgs: OrgService;
  readonly store: LedgerStore;
  readonly appender: LogAppender;
  readonly capture: CaptureService;
  readonly checkpoints: CheckpointService;
  readonly proofs: ProofService;
  readonly consumer: ConsumerService;
  /** The keys a verifier pins (the consumer page embeds this at render time). */
  trust(): TrustConfig;
  /** `cantho trace audit`: re-checks every stored row (fresh key cache, so altered keys are seen). */
  audit(opts?: { maxFindings?: number; onProgress?: (leaves: number) => void }): Promise<AuditReport>;
  /** Registers /epcis, /trace/log, /trace/proofs and /trace/api routes. */
  register(app: FastifyInstance): Promise<void>;
  /** Starts the background checkpoint publisher. */
  start(): void;
  /** Runs `fn` when the module closes (the demo witness stops its timer there). */
  onClose(fn: () => void | Promise<void>): void;
  close(): Promise<void>;
}

/**
 * Wires the traceability module: organisations, the log store (per dialect), the group-commit
 * appender, checkpoints and proofs, the consumer API. The KEK that seals custodial organisation
 * keys comes from CANTHO_TRACE_KEK, else one generated and kept in settings (demo setups only).
 */
export async function createTraceModule(deps: { config: Config; logger: Logger; db: Database }): Promise<TraceModule> {
  const { config, db } = deps;
  const logger = deps.logger.child({ module: 'trace' });
  const cfg = config.trace;
  let kekB64 = cfg.kek;
  if (!kekB64) {
    kekB64 = await ensureSetting(db, 'trace.kek', () => randomBytes(32).toString('base64'));
    logger.debug('custodial keys sealed with a KEK kept in the database (set CANTHO_TRACE_KEK in production)');
  }
  const kek = new Uint8Array(Buffer.from(kekB64, 'base64'));
  const orgs = new OrgService(db, kek);
  const store = createLedgerStore(db);
  const appender = new LogAppender(store);
  const identity = await loadLogIdentity(db, cfg, config.publicUrl);
  const checkpoints = new CheckpointService(store, identity, cfg.witnessKeys.map(trustedWitness), cfg.witnessQuorum, logger);
  const proofs = new ProofService(store, checkpoints);
  const consumer = new ConsumerService(db, orgs, store, checkpoints, proofs);
  const pool = new PreparePool(cfg.workers);
  const capture = new CaptureService(orgs, appender, pool);
  let started = false;
  const closing: (() => void | Promise<void>)[] = [];
  return {
    orgs,
    store,
    appender,
    capture,
    checkpoints,
    proofs,
    consumer,
    trust: () => checkpoints.trust(),
    audit: (opts) => auditLog({ db, store, orgs: new OrgService(db, kek), identity, witnesses: checkpoints.trustedWitnesses() }, opts),
    async register(app) {
      await registerEpcisRoutes(app, { config, db, capture, jobs: new CaptureJobs(db) });
      await registerLogRoutes(app, { checkpoints, proofs, proofFileFor: (id) => consumer.proofFile(id) });
      await registerTraceApiRoutes(app, { orgs, consumer });
    },
    start() {
      if (started) return;
      started = true;
      checkpoints.start(cfg.checkpointMs);
    },
    onClose(fn) {
      closing.push(fn);
    },
    async close() {
      for (const fn of closing.splice(0)) await fn();
      await checkpoints.stop();
      await pool.close();
    },
  };
}

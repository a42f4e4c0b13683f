import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { KeyStore } from '../auth/keys.ts';
import type { Config } from '../config/config.ts';
import { redact } from '../config/config.ts';
import { registerSqliteExtensions } from '../storage/sqlite-extensions.ts';
import { SensingService } from '../sensing/sensing.service.ts';
import { type Database, openDatabase } from '../storage/database.ts';
import { migrate } from '../storage/migrate.ts';
import { buildApp } from './app.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { IngestModule } from '../ingest/ingest.ts';
import { createTraceModule, type TraceModule } from '../trace/trace.module.ts';

/** How long `close` lets running HTTP requests finish before it cuts their connections. */
const CLOSE_GRACE_MS = 3000;

/** Everything one running node holds; tests build the same thing on a temp database. */
export interface Platform {
  readonly config: Config;
  readonly logger: Logger;
  readonly db: Database;
  readonly keys: KeyStore;
  readonly sensing: SensingService;
  readonly metrics: Metrics;
  readonly app: FastifyInstance;
  /** Real-time ingestion: group commit (always), MQTT and NATS once `ingest.start()` runs. */
  readonly ingest: IngestModule;
  /** Traceability: EPCIS capture/query, the verifiable log, consumer API (src/trace). */
  readonly trace: TraceModule;
  close(): Promise<void>;
}

export function createLogger(config: Config): Logger {
  return pino({ level: config.logLevel, redact: { paths: ['req.headers.authorization', 'headers.authorization'], censor: '[redacted]' } });
}

/** Opens storage, migrates, wires services and builds the HTTP app (does not listen). */
export async function createPlatform(config: Config, opts: { logger?: Logger; pgSchema?: string } = {}): Promise<Platform> {
  const logger = opts.logger ?? createLogger(config);
  const db = openDatabase(config.databaseUrl, { sqliteSynchronous: config.sqliteSynchronous, pgSchema: opts.pgSchema ?? config.pgSchema ?? undefined, readTimeoutMs: config.queryTimeoutMs, readThreads: config.sqliteReadThreads, onSqliteOpen: registerSqliteExtensions });
  logger.info({ database: db.dialect === 'sqlite' ? config.databaseUrl : redact(config.databaseUrl) }, 'opening database');
  // Each step on an existing database is announced before it runs: one may rebuild large tables.
  const applied = await migrate(db, {
    onStep: (m, fresh) => {
      if (!fresh) logger.info({ version: m.version, name: m.name }, 'applying migration');
    },
  });
  if (applied.length) logger.info({ applied }, 'migrations applied');
  const keys = new KeyStore(db);
  if (config.bootstrapAdminKey) await keys.ensureBootstrapKey(config.bootstrapAdminKey);
  const sensing = new SensingService(db, { defaultTop: config.defaultTop, maxTop: config.maxTop, timeoutMs: config.queryTimeoutMs });
  const metrics = createMetrics(db.readPool);
  const conformance: string[] = [];
  const app = await buildApp({ config, logger, db, keys, sensing, metrics, conformance });
  const trace = await createTraceModule({ config, logger, db });
  await trace.register(app);
  trace.start();
  const ingest = new IngestModule({ config, logger, keys, sensing, metrics, app, conformance });
  return {
    config,
    logger,
    db,
    keys,
    sensing,
    metrics,
    app,
    ingest,
    trace,
    async close() {
      await ingest.close();
      await trace.close();
      // Fastify closes idle keep-alive connections at once, but a browser's open (pre)connection
      // held the close for 100 s: requests still running get CLOSE_GRACE_MS, then every
      // connection is cut.
      const force = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
      await app.close();
      clearTimeout(force);
      await db.close();
    },
  };
}

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Database, type Dialect, type OpenOptions, openDatabase } from '../storage/database.ts';

/** One backend that storage tests loop over (Kysely's own tests do the same). */
export interface TestBackend {
  readonly dialect: Dialect;
  /** A fresh, empty database (a temp SQLite file, or a new PostgreSQL schema). */
  open(opts?: OpenOptions): Promise<Database>;
  /** The URL that `openDatabase` accepts plus the options to reach the same database. */
  url(): string;
  readonly pgSchema?: string;
  cleanup(): Promise<void>;
}

/**
 * SQLite always; PostgreSQL whenever CANTHO_TEST_POSTGRES_URL is set (CI sets it). Each call
 * makes its own temp file or schema, dropped by cleanup().
 */
export function testBackends(): TestBackend[] {
  const out: TestBackend[] = [];
  // Made when first used: a file that takes only the PostgreSQL backend leaves no directory behind.
  let dir: string | null = null;
  const file = () => {
    dir ??= mkdtempSync(join(tmpdir(), 'cantho-test-'));
    return join(dir, 'test.db');
  };
  out.push({
    dialect: 'sqlite',
    url: file,
    open: async (opts) => openDatabase(file(), opts),
    cleanup: async () => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  });
  const pgUrl = process.env.CANTHO_TEST_POSTGRES_URL;
  if (pgUrl) {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    let created = false;
    out.push({
      dialect: 'postgres',
      pgSchema: schema,
      url: () => pgUrl,
      open: async (opts) => {
        if (!created) {
          const c = new pg.Client({ connectionString: pgUrl });
          await c.connect();
          await ensurePostgis(c);
          await c.query(`CREATE SCHEMA ${schema}`);
          await c.end();
          created = true;
        }
        return openDatabase(pgUrl, { ...opts, pgSchema: schema });
      },
      cleanup: async () => {
        if (!created) return;
        const c = new pg.Client({ connectionString: pgUrl });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      },
    });
  } else if (process.env.CANTHO_REQUIRE_PG === '1') {
    throw new Error('CANTHO_REQUIRE_PG=1 but CANTHO_TEST_POSTGRES_URL is not set');
  }
  return out;
}

async function ensurePostgis(c: pg.Client): Promise<void> {
  for (let i = 0; i < 5; i++) {
    try {
      await c.query('CREATE EXTENSION IF NOT EXISTS postgis');
      return;
    } catch (e) {
      // Two test files creating the extension at once race on the catalog: retry.
      if (i === 4) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

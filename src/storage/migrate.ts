import type BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import type { Database } from './database.ts';
import { sensingMigration } from './migrations/001-sensing.ts';
import { authMigration } from './migrations/002-auth.ts';
import { observationOrderMigration } from './migrations/003-observation-order.ts';
import { observationChecksMigration } from './migrations/004-observation-checks.ts';
import { stableIdsMigration } from './migrations/005-stable-ids.ts';
import { traceMigration } from '../trace/trace.migration.ts';

/** One schema step, written once per dialect side by side. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Its statements, or (a table rebuilt) a function that reads them off the schema as it stands when the step runs. */
  readonly sqlite: readonly string[] | ((raw: BetterSqlite3.Database) => readonly string[]);
  readonly postgres: readonly string[];
}

const MIGRATIONS: Migration[] = [sensingMigration, authMigration, observationOrderMigration, observationChecksMigration, stableIdsMigration, traceMigration];

/** Registers further migrations (modules other than sensing add theirs at import time). */
export function registerMigration(m: Migration): void {
  if (MIGRATIONS.some((x) => x.version === m.version)) return;
  MIGRATIONS.push(m);
  MIGRATIONS.sort((a, b) => a.version - b.version);
}

export interface MigrateOptions {
  /** Called before each step that is applied (a step may take a while on a large database); `fresh`: the database had no schema yet. */
  onStep?: (m: Migration, fresh: boolean) => void;
  /** Applies the steps up to this version only (tests of a later step start from an earlier schema). */
  upTo?: number;
}

/**
 * Brings the schema up to date, in one transaction. Idempotent and safe when several nodes start
 * at once: on PostgreSQL the whole run holds a transaction-scoped advisory lock. On SQLite foreign
 * keys are off during the run, so that a step may rebuild a table that others reference (dropping
 * it would otherwise delete their rows, ON DELETE CASCADE); whatever the steps applied is checked
 * against them before the commit.
 */
export async function migrate(db: Database, opts: MigrateOptions = {}): Promise<number[]> {
  const applied: number[] = [];
  const raw = db.sqlite;
  // Outside a transaction only: SQLite ignores the pragma inside one.
  raw?.pragma('foreign_keys = OFF');
  try {
    await db.kysely.transaction().execute(async (trx) => {
      if (db.dialect === 'postgres') {
        await sql`SELECT pg_advisory_xact_lock(726354)`.execute(trx);
      }
      await sql`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)`.execute(trx);
      const done = await sql<{ version: number }>`SELECT version FROM schema_migrations`.execute(trx);
      const have = new Set(done.rows.map((r) => Number(r.version)));
      for (const m of MIGRATIONS) {
        if (have.has(m.version) || m.version > (opts.upTo ?? Number.POSITIVE_INFINITY)) continue;
        opts.onStep?.(m, have.size === 0);
        const steps = !raw ? m.postgres : typeof m.sqlite === 'function' ? m.sqlite(raw) : m.sqlite;
        for (const stmt of steps) await sql.raw(stmt).execute(trx);
        await sql`INSERT INTO schema_migrations (version, name) VALUES (${m.version}, ${m.name})`.execute(trx);
        applied.push(m.version);
      }
      const broken = applied.length && raw ? (raw.pragma('foreign_key_check') as unknown[]) : [];
      if (broken.length) throw new Error(`migration left rows whose references do not hold: ${JSON.stringify(broken.slice(0, 5))}`);
    });
  } finally {
    raw?.pragma('foreign_keys = ON');
  }
  return applied;
}

import { sql } from 'kysely';
import type { Database } from './database.ts';
import { sensingMigration } from './migrations/001-sensing.ts';
import { authMigration } from './migrations/002-auth.ts';
import { observationOrderMigration } from './migrations/003-observation-order.ts';
import { observationChecksMigration } from './migrations/004-observation-checks.ts';
import { traceMigration } from '../trace/trace.migration.ts';

/** One schema step, written once per dialect side by side. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sqlite: readonly string[];
  readonly postgres: readonly string[];
}

const MIGRATIONS: Migration[] = [sensingMigration, authMigration, observationOrderMigration, observationChecksMigration, traceMigration];

/** Registers further migrations (modules other than sensing add theirs at import time). */
export function registerMigration(m: Migration): void {
  if (MIGRATIONS.some((x) => x.version === m.version)) return;
  MIGRATIONS.push(m);
  MIGRATIONS.sort((a, b) => a.version - b.version);
}

/**
 * Brings the schema up to date. Idempotent and safe when several nodes start at once: on
 * PostgreSQL the whole run holds a transaction-scoped advisory lock.
 */
export async function migrate(db: Database): Promise<number[]> {
  const applied: number[] = [];
  await db.kysely.transaction().execute(async (trx) => {
    if (db.dialect === 'postgres') {
      await sql`SELECT pg_advisory_xact_lock(726354)`.execute(trx);
    }
    await sql`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)`.execute(trx);
    const done = await sql<{ version: number }>`SELECT version FROM schema_migrations`.execute(trx);
    const have = new Set(done.rows.map((r) => Number(r.version)));
    for (const m of MIGRATIONS) {
      if (have.has(m.version)) continue;
      for (const stmt of db.dialect === 'sqlite' ? m.sqlite : m.postgres) {
        await sql.raw(stmt).execute(trx);
      }
      await sql`INSERT INTO schema_migrations (version, name) VALUES (${m.version}, ${m.name})`.execute(trx);
      applied.push(m.version);
    }
  });
  return applied;
}

import { sql } from 'kysely';
import type { Database } from '../storage/database.ts';

/**
 * Returns the value of a `settings` row, creating it with `make()` when absent. Safe when several
 * nodes start at once: the first insert wins and everybody reads the winner's value.
 */
export async function ensureSetting(db: Database, key: string, make: () => string): Promise<string> {
  const found = await getSetting(db, key);
  if (found !== null) return found;
  await sql`INSERT INTO settings (key, value) VALUES (${key}, ${make()}) ON CONFLICT (key) DO NOTHING`.execute(db.kysely);
  const v = await getSetting(db, key);
  if (v === null) throw new Error(`setting ${key} could not be stored`);
  return v;
}

/** The value of a `settings` row, or null. */
export async function getSetting(db: Database, key: string): Promise<string | null> {
  const r = await sql<{ value: string }>`SELECT value FROM settings WHERE key = ${key}`.execute(db.kysely);
  return r.rows[0]?.value ?? null;
}

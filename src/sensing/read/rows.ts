import type BetterSqlite3 from 'better-sqlite3';
import type { RawBuilder } from 'kysely';
import { type Database, readerOf } from '../../storage/database.ts';
import { runPages } from '../../storage/read-jobs.ts';
import { type PagesJob, type PagesResult, rowArrays, rowObjects } from '../../storage/read-pool.ts';
import type { Row } from './serialize.ts';

/** Column names of each raw-mode statement. */
const columnNames = new WeakMap<BetterSqlite3.Statement, string[]>();

/**
 * A SQLite statement's rows as objects keyed by column name, like `stmt.all()`, but read as arrays
 * (raw mode) and turned into objects here: better-sqlite3 builds row objects about twice as slowly
 * (a page of 1,000 Datastreams took 6 ms instead of 3).
 */
export function sqliteRows(stmt: BetterSqlite3.Statement, params: readonly unknown[]): Row[] {
  let cols = columnNames.get(stmt);
  if (!cols) {
    cols = stmt.columns().map((c) => c.name);
    columnNames.set(stmt, cols);
    stmt.raw(true);
  }
  const arrays = stmt.all(params as unknown[]) as unknown[][];
  const out = new Array<Row>(arrays.length);
  for (let i = 0; i < arrays.length; i++) {
    const a = arrays[i]!;
    const row: Row = {};
    for (let c = 0; c < cols.length; c++) row[cols[c]!] = a[c];
    out[i] = row;
  }
  return out;
}

/** Runs a SELECT: on SQLite on a read thread or through sqliteRows, on PostgreSQL through Kysely. */
export async function selectRows(db: Database, q: RawBuilder<unknown>): Promise<Row[]> {
  if (db.dialect === 'sqlite') {
    const c = q.compile(db.kysely);
    if (db.reads?.sqlite) return rowObjects(await db.reads.sqlite.rows(c));
    return sqliteRows(db.sqlite!.prepare(c.sql), c.parameters);
  }
  return (await q.execute(readerOf(db))).rows as Row[];
}

/**
 * Runs a SELECT and gives its rows as arrays of column values, in column order: the cheapest shape
 * for reads of many small rows. On SQLite without read threads the rows are read lazily, one at a
 * time, so consume the result before the next await.
 */
export async function selectArrays(db: Database, q: RawBuilder<unknown>): Promise<Iterable<unknown[]>> {
  const c = q.compile(db.kysely);
  if (db.reads?.sqlite) return rowArrays(await db.reads.sqlite.rows(c));
  if (db.dialect === 'sqlite') return db.sqlite!.prepare(c.sql).raw(true).iterate(...(c.parameters as unknown[])) as Iterable<unknown[]>;
  return (await (db.reads?.pg ?? db.pg!).query({ text: c.sql, values: c.parameters as unknown[], rowMode: 'array' })).rows as unknown[][];
}

/** The pages of a navigation $expand on SQLite, in one snapshot (read-pool.ts's PagesJob). */
export async function expandPages(db: Database, job: PagesJob): Promise<PagesResult> {
  if (db.reads?.sqlite) return db.reads.sqlite.pages(job);
  const raw = db.sqlite!;
  return runPages((text) => raw.prepare(text), job);
}

/**
 * The raw baselines of bench/sensing.bench.ts: the same observation rows inserted straight through
 * the drivers into a table built from the real migrations (same columns, indexes and reference
 * checks), without HTTP, parsing, counters or rollups. Rows are 13-column tuples in OBS_COLS order.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { WRITER_CACHE_SIZE } from '../../src/storage/database.ts';
import type { Migration } from '../../src/storage/migrate.ts';
import { sensingMigration } from '../../src/storage/migrations/001-sensing.ts';
import { observationOrderMigration } from '../../src/storage/migrations/003-observation-order.ts';
import { observationChecksMigration } from '../../src/storage/migrations/004-observation-checks.ts';
import { withAutoincrement } from '../../src/storage/migrations/005-stable-ids.ts';
import { now } from './stats.ts';

/** One observation row, its values in OBS_COLS order. */
export type Tuple = (number | null)[];

const OBS_COLS = [
  'phenomenon_time_start', 'phenomenon_time_end', 'result_time', 'result_num', 'result_str', 'result_json', 'result_quality',
  'valid_time_start', 'valid_time_end', 'parameters', 'datastream_id', 'multi_datastream_id', 'feature_of_interest_id',
];

function chunks<T>(rows: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Rows per multi-row INSERT in the second SQLite reference (the server's own chunk size). */
export const SQLITE_MULTI_ROWS = 64;

async function pgAdmin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A new, empty schema; dropped by cleanup(). */
export async function pgSchema(url: string, prefix: string): Promise<{ schema: string; drop(): Promise<void> }> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  await pgAdmin(url, async (c) => {
    try {
      await c.query('CREATE EXTENSION IF NOT EXISTS postgis');
    } catch {
      /* PostGIS is optional for what this bench touches */
    }
    await c.query(`CREATE SCHEMA ${schema}`);
  });
  let dropped = false;
  return {
    schema,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await pgAdmin(url, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    },
  };
}

/** A migration's statements as they are written (not one that reads them off the schema). */
function statementsOf(m: Migration, dialect: 'sqlite' | 'postgres'): readonly string[] {
  const s = m[dialect];
  if (typeof s === 'function') throw new Error(`migration ${m.version} computes its statements: update observationsDdl`);
  return s;
}

/**
 * The observations table and its indexes, from the real migrations (optionally without FKs, or
 * without indexes). On SQLite the table keeps the largest id ever used (AUTOINCREMENT), as
 * migration 005 rebuilds it.
 */
function observationsDdl(dialect: 'sqlite' | 'postgres', withFks: boolean, indexes = true): string[] {
  const stmts = statementsOf(sensingMigration, dialect)
    .map((s) => (dialect === 'sqlite' && s.startsWith('CREATE TABLE observations ') ? withAutoincrement(s, 'observations') : s))
    .filter((s) => /^CREATE TABLE observations |^CREATE INDEX observations_/.test(s));
  if (stmts.length !== 4) throw new Error(`expected the observations table and 3 indexes in the migration, found ${stmts.length} statements`);
  // Later migrations that change the observations indexes, in order.
  const later = [observationOrderMigration].flatMap((m) => statementsOf(m, dialect));
  if (!later.every((s) => /^(CREATE|DROP) INDEX observations_/.test(s))) throw new Error('a later migration does more than observations indexes: update observationsDdl');
  const table = [...(withFks ? stmts : stmts.map((s) => s.replace(/ REFERENCES \w+\(id\) ON DELETE \w+/g, ''))), ...later].filter((s) => indexes || !/^(CREATE|DROP) INDEX /.test(s));
  // PostgreSQL checks references per statement (migration 004): the baseline does the same.
  return withFks ? [...table, ...statementsOf(observationChecksMigration, dialect)] : table;
}

/** Stub parent tables so that the FK variant of the baseline checks real references. */
function stubParents(dialect: 'sqlite' | 'postgres', dsIds: number[], foiIds: number[]): string[] {
  const pk = dialect === 'sqlite' ? 'INTEGER PRIMARY KEY' : 'BIGINT PRIMARY KEY';
  return [
    `CREATE TABLE datastreams (id ${pk})`,
    `CREATE TABLE multi_datastreams (id ${pk})`,
    `CREATE TABLE features_of_interest (id ${pk})`,
    `INSERT INTO datastreams (id) VALUES ${dsIds.map((id) => `(${Number(id)})`).join(', ')}`,
    `INSERT INTO features_of_interest (id) VALUES ${foiIds.map((id) => `(${Number(id)})`).join(', ')}`,
  ];
}

/** better-sqlite3 on `file` with the pragmas of src/storage/database.ts and the observations DDL of the migrations (`indexes` false: the table alone). */
export function openRawSqlite(file: string, withFks: boolean, parent: { ds: number[]; foi: number[] }, indexes = true): BetterSqlite3.Database {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`foreign_keys = ${withFks ? 'ON' : 'OFF'}`);
  db.pragma(`cache_size = ${WRITER_CACHE_SIZE}`); // the server's writing connection beside its read threads (the default)
  db.pragma('temp_store = MEMORY'); // what the group commit's transactions run with (WriteTxOptions)
  if (withFks) for (const s of stubParents('sqlite', parent.ds, parent.foi)) db.exec(s);
  for (const s of observationsDdl('sqlite', withFks, indexes)) db.exec(s);
  return db;
}

/**
 * A transaction that inserts rows the way the server does: multi-row INSERTs of `multi` rows
 * naming only the 4 columns these rows fill (phenomenon time, numeric result, Datastream, FOI).
 */
export function multiRowInsert(db: BetterSqlite3.Database, multi: number): (rows: Tuple[]) => void {
  const cols = [0, 3, 10, 12];
  const stmts = new Map<number, BetterSqlite3.Statement>();
  const stmtFor = (n: number) => {
    let st = stmts.get(n);
    if (!st) {
      st = db.prepare(`INSERT INTO observations (${cols.map((c) => OBS_COLS[c]).join(', ')}) VALUES ${Array.from({ length: n }, () => `(${cols.map(() => '?').join(', ')})`).join(', ')}`);
      stmts.set(n, st);
    }
    return st;
  };
  return db.transaction((rows: Tuple[]) => {
    for (let i = 0; i < rows.length; i += multi) {
      const n = Math.min(multi, rows.length - i);
      const args = new Array<number | null>(n * cols.length);
      for (let k = 0; k < n; k++) for (let j = 0; j < cols.length; j++) args[k * cols.length + j] = rows[i + k]![cols[j]!]!;
      stmtFor(n).run(args);
    }
  });
}

/**
 * better-sqlite3 into a fresh file (openRawSqlite). Default: one prepared 13-column INSERT run per
 * row. With `multi`, the way the server inserts (multiRowInsert).
 */
export function rawSqlite(dir: string, warm: Tuple[], meas: Tuple[], opts: { withFks: boolean; batch: number; multi?: number }): number {
  const { withFks, batch, multi = 0 } = opts;
  const file = join(dir, `raw${withFks ? '-fk' : ''}${multi ? '-multi' : ''}.db`);
  const db = openRawSqlite(file, withFks, { ds: [Number(warm[0]![10])], foi: [Number(warm[0]![12])] });
  try {
    let tx: (rows: Tuple[]) => void;
    if (multi) tx = multiRowInsert(db, multi);
    else {
      const stmt = db.prepare(`INSERT INTO observations (${OBS_COLS.join(', ')}) VALUES (${OBS_COLS.map(() => '?').join(', ')})`);
      tx = db.transaction((rows: Tuple[]) => {
        for (const r of rows) stmt.run(r);
      });
    }
    for (const c of chunks(warm, batch)) tx(c);
    const t0 = now();
    for (const c of chunks(meas, batch)) tx(c);
    return meas.length / ((now() - t0) / 1000);
  } finally {
    db.close();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  }
}

/** pg into a fresh schema: one `INSERT … SELECT FROM unnest()` of the 4 non-null columns per `batch` rows, `connections` in parallel. */
export async function rawPg(url: string, warm: Tuple[], meas: Tuple[], opts: { withFks: boolean; batch: number; connections: number }): Promise<number> {
  const { withFks, batch, connections } = opts;
  const s = await pgSchema(url, 'bench_raw');
  const pool = new pg.Pool({ connectionString: url, max: connections, options: `-c search_path=${s.schema}` });
  try {
    if (withFks) for (const q of stubParents('postgres', [Number(warm[0]![10])], [Number(warm[0]![12])])) await pool.query(q);
    for (const q of observationsDdl('postgres', withFks)) await pool.query(q);
    const text = `INSERT INTO observations (phenomenon_time_start, result_num, datastream_id, feature_of_interest_id)
      SELECT * FROM unnest($1::bigint[], $2::float8[], $3::bigint[], $4::bigint[])`;
    const params = (rows: (number | null)[][]) => [rows.map((r) => r[0]), rows.map((r) => r[3]), rows.map((r) => r[10]), rows.map((r) => r[12])];
    const run = async (rows: (number | null)[][]) => {
      const jobs = chunks(rows, batch).map(params);
      let next = 0;
      const lane = async () => {
        while (next < jobs.length) await pool.query(text, jobs[next++]!); // one statement = one transaction
      };
      await Promise.all(Array.from({ length: connections }, lane));
    };
    await run(warm);
    const t0 = now();
    await run(meas);
    return meas.length / ((now() - t0) / 1000);
  } finally {
    await pool.end();
    await s.drop();
  }
}

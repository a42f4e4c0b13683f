import { type Kysely, sql } from 'kysely';
import type { Database } from '../../storage/database.ts';
import { absorb, type PartialAggregate, single } from '../aggregate/partial.ts';

export const HOUR_MS = 3_600_000;

/** One numeric observation's contribution to its hour bucket. */
export interface RollupDelta {
  datastreamId: number;
  t: number;
  v: number;
}

// biome-ignore lint/suspicious/noExplicitAny: schema typed by the entity model
type Trx = Kysely<any>;

interface Agg extends PartialAggregate {
  ds: number;
  bucket: number;
}

const SQLITE_UPSERT = `INSERT INTO observation_rollups (datastream_id, bucket, n, sum, min, max, first_t, first_v, last_t, last_v)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (datastream_id, bucket) DO UPDATE SET
      n = n + excluded.n, sum = sum + excluded.sum, min = MIN(min, excluded.min), max = MAX(max, excluded.max),
      first_v = CASE WHEN excluded.first_t < first_t THEN excluded.first_v ELSE first_v END,
      first_t = CASE WHEN excluded.first_t < first_t THEN excluded.first_t ELSE first_t END,
      last_v = CASE WHEN excluded.last_t >= last_t THEN excluded.last_v ELSE last_v END,
      last_t = CASE WHEN excluded.last_t >= last_t THEN excluded.last_t ELSE last_t END`;

/** The prepared rollup upsert of each open SQLite handle. */
const sqliteUpserts = new WeakMap<import('better-sqlite3').Database, import('better-sqlite3').Statement>();

/**
 * Folds new observations into the hourly rollups (count, sum, min, max, first, last), in the same
 * transaction as the insert, so aggregates are exact at every commit. Hours are UTC; Can Tho's zone
 * (UTC+7, no DST) is a whole number of hours away, so local days are exact unions of these buckets.
 */
export async function addToRollups(db: Database, trx: Trx, deltas: RollupDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  const aggs = new Map<string, Agg>();
  let last: Agg | undefined; // runs of one stream and hour are the rule: skip the map lookup for them
  for (const d of deltas) {
    const bucket = Math.floor(d.t / HOUR_MS) * HOUR_MS;
    let a = last !== undefined && last.bucket === bucket && last.ds === d.datastreamId ? last : undefined;
    if (!a) {
      const key = `${d.datastreamId}:${bucket}`;
      a = aggs.get(key);
      if (!a) {
        last = { ds: d.datastreamId, bucket, ...single(d.t, d.v) };
        aggs.set(key, last);
        continue;
      }
      last = a;
    }
    absorb(a, 1, d.v, d.v, d.v, d.t, d.v, d.t, d.v);
  }
  const rows = [...aggs.values()];
  if (db.dialect === 'sqlite') {
    const raw = db.sqlite!;
    let stmt = sqliteUpserts.get(raw);
    if (!stmt) {
      stmt = raw.prepare(SQLITE_UPSERT);
      sqliteUpserts.set(raw, stmt);
    }
    for (const a of rows) stmt.run(a.ds, a.bucket, a.n, a.sum, a.min, a.max, a.ft, a.fv, a.lt, a.lv);
    return;
  }
  const col = <K extends keyof Agg>(k: K) => rows.map((r) => r[k]);
  await sql`INSERT INTO observation_rollups AS r (datastream_id, bucket, n, sum, min, max, first_t, first_v, last_t, last_v)
    SELECT * FROM unnest(CAST(${col('ds')} AS bigint[]), CAST(${col('bucket')} AS bigint[]), CAST(${col('n')} AS bigint[]),
      CAST(${col('sum')} AS float8[]), CAST(${col('min')} AS float8[]), CAST(${col('max')} AS float8[]), CAST(${col('ft')} AS bigint[]),
      CAST(${col('fv')} AS float8[]), CAST(${col('lt')} AS bigint[]), CAST(${col('lv')} AS float8[]))
    ON CONFLICT (datastream_id, bucket) DO UPDATE SET
      n = r.n + excluded.n, sum = r.sum + excluded.sum, min = LEAST(r.min, excluded.min), max = GREATEST(r.max, excluded.max),
      first_v = CASE WHEN excluded.first_t < r.first_t THEN excluded.first_v ELSE r.first_v END,
      first_t = LEAST(r.first_t, excluded.first_t),
      last_v = CASE WHEN excluded.last_t >= r.last_t THEN excluded.last_v ELSE r.last_v END,
      last_t = GREATEST(r.last_t, excluded.last_t)`.execute(trx);
}

/**
 * Rebuilds the given hour buckets of a Datastream from its raw rows: after DELETE or PATCH, where
 * min/max/first/last cannot be updated by subtraction.
 */
export async function recomputeBuckets(trx: Trx, datastreamId: number, times: number[]): Promise<void> {
  const buckets = [...new Set(times.map((t) => Math.floor(t / HOUR_MS) * HOUR_MS))];
  for (const b of buckets) {
    const ds = sql`CAST(${datastreamId} AS BIGINT)`;
    const lo = sql`CAST(${b} AS BIGINT)`;
    const hi = sql`CAST(${b + HOUR_MS} AS BIGINT)`;
    const range = sql`datastream_id = ${ds} AND phenomenon_time_start >= ${lo} AND phenomenon_time_start < ${hi} AND result_num IS NOT NULL`;
    await sql`DELETE FROM observation_rollups WHERE datastream_id = ${ds} AND bucket = ${lo}`.execute(trx);
    await sql`INSERT INTO observation_rollups (datastream_id, bucket, n, sum, min, max, first_t, first_v, last_t, last_v)
      SELECT ${ds}, ${lo}, COUNT(*), SUM(result_num), MIN(result_num), MAX(result_num),
        MIN(phenomenon_time_start), (SELECT result_num FROM observations WHERE ${range} ORDER BY phenomenon_time_start ASC, id ASC LIMIT 1),
        MAX(phenomenon_time_start), (SELECT result_num FROM observations WHERE ${range} ORDER BY phenomenon_time_start DESC, id DESC LIMIT 1)
      FROM observations WHERE ${range} HAVING COUNT(*) > 0`.execute(trx);
  }
}

import { type Kysely, sql } from 'kysely';
import { AppError } from '../../core/errors.ts';
import { type Database, writeTx } from '../../storage/database.ts';
import { type RollupDelta, addToRollups } from './rollups.ts';
import { FoiResolver } from './foi-resolver.ts';

/** One observation, already validated and in storage units (epoch ms). */
export interface ObservationInput {
  datastreamId?: number;
  multiDatastreamId?: number;
  phenomenonStart: number;
  phenomenonEnd?: number | null;
  resultTime?: number | null;
  result: unknown;
  resultQuality?: unknown;
  validStart?: number | null;
  validEnd?: number | null;
  parameters?: unknown;
  featureOfInterestId?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: schema typed by the entity model
type Trx = Kysely<any>;

const COLS = [
  'phenomenon_time_start', 'phenomenon_time_end', 'result_time', 'result_num', 'result_str', 'result_json', 'result_quality',
  'valid_time_start', 'valid_time_end', 'parameters', 'datastream_id', 'multi_datastream_id', 'feature_of_interest_id',
] as const;
const PG_TYPES = ['bigint', 'bigint', 'bigint', 'float8', 'text', 'jsonb', 'jsonb', 'bigint', 'bigint', 'jsonb', 'bigint', 'bigint', 'bigint'];

type Tuple = (number | string | null)[];

function toTuple(o: ObservationInput, foi: number): Tuple {
  const r = o.result;
  const num = typeof r === 'number' && Number.isFinite(r) ? r : null;
  const str = typeof r === 'string' ? r : null;
  const json = num === null && str === null ? JSON.stringify(r ?? null) : null;
  const j = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  return [
    o.phenomenonStart, o.phenomenonEnd ?? null, o.resultTime ?? null, num, str, json, j(o.resultQuality),
    o.validStart ?? null, o.validEnd ?? null, j(o.parameters), o.datastreamId ?? null, o.multiDatastreamId ?? null, foi,
  ];
}

/**
 * The one observation write path (HTTP POST, CreateObservations, batch, MQTT): inserts a batch in
 * one transaction together with the stream counters and hourly rollups, and resolves only once it
 * is committed. Returns the new ids in input order.
 */
export class ObservationWriter {
  readonly fois: FoiResolver;
  private readonly db: Database;
  private insertStmt?: import('better-sqlite3').Statement;

  constructor(db: Database) {
    this.db = db;
    this.fois = new FoiResolver(db);
  }

  /** Writes in its own transaction. */
  async write(batch: ObservationInput[]): Promise<number[]> {
    if (batch.length === 0) return [];
    return writeTx(this.db, (trx) => this.writeIn(trx, batch));
  }

  /** Writes inside a caller's transaction (deep insert, batch changesets). */
  async writeIn(trx: Trx, batch: ObservationInput[]): Promise<number[]> {
    if (batch.length === 0) return [];
    const fois = await this.fois.resolve(trx, batch);
    const tuples = batch.map((o, i) => toTuple(o, fois[i]!));
    try {
      const ids = this.db.dialect === 'sqlite' ? this.insertSqlite(tuples) : await insertPg(trx, tuples);
      await updateStreams(trx, batch);
      await addToRollups(this.db, trx, rollupDeltas(batch));
      return ids;
    } catch (e) {
      if (isForeignKeyError(e)) {
        this.fois.clear();
        throw new AppError('INVALID_ENTITY', 'An observation refers to a Datastream, MultiDatastream or FeatureOfInterest that does not exist');
      }
      throw e;
    }
  }

  private insertSqlite(tuples: Tuple[]): number[] {
    this.insertStmt ??= this.db.sqlite!.prepare(`INSERT INTO observations (${COLS.join(', ')}) VALUES (${COLS.map(() => '?').join(', ')})`);
    const stmt = this.insertStmt;
    const ids = new Array<number>(tuples.length);
    for (let i = 0; i < tuples.length; i++) ids[i] = Number(stmt.run(tuples[i]!).lastInsertRowid);
    return ids;
  }
}

/** PostgreSQL: ids drawn from the sequence first (so order is certain), then one unnest INSERT. */
async function insertPg(trx: Trx, tuples: Tuple[]): Promise<number[]> {
  const ids = (await sql<{ id: number }>`SELECT nextval(pg_get_serial_sequence('observations', 'id')) AS id FROM generate_series(1, ${tuples.length})`.execute(trx)).rows.map((r) => Number(r.id));
  const columns = COLS.map((_, c) => tuples.map((t) => t[c]));
  const arrays = columns.map((col, c) => sql`CAST(${col} AS ${sql.raw(PG_TYPES[c]!)}[])`);
  await sql`INSERT INTO observations (id, ${sql.join(COLS.map((c) => sql.ref(c)))}) SELECT * FROM unnest(CAST(${ids} AS bigint[]), ${sql.join(arrays)})`.execute(trx);
  return ids;
}

/** Keeps each stream's count and phenomenon/result time ranges (§8.2.4) current. */
async function updateStreams(trx: Trx, batch: ObservationInput[]): Promise<void> {
  const agg = new Map<string, { n: number; ps: number; pe: number; rs: number | null; re: number | null }>();
  for (const o of batch) {
    const key = o.datastreamId !== undefined ? `d${o.datastreamId}` : `m${o.multiDatastreamId}`;
    const end = o.phenomenonEnd ?? o.phenomenonStart;
    const a = agg.get(key);
    const rt = o.resultTime ?? null;
    if (!a) agg.set(key, { n: 1, ps: o.phenomenonStart, pe: end, rs: rt, re: rt });
    else {
      a.n++;
      if (o.phenomenonStart < a.ps) a.ps = o.phenomenonStart;
      if (end > a.pe) a.pe = end;
      if (rt !== null) {
        a.rs = a.rs === null ? rt : Math.min(a.rs, rt);
        a.re = a.re === null ? rt : Math.max(a.re, rt);
      }
    }
  }
  for (const [key, a] of agg) {
    const table = key[0] === 'd' ? 'datastreams' : 'multi_datastreams';
    const id = Number(key.slice(1));
    const ps = big(a.ps);
    const pe = big(a.pe);
    const rs = big(a.rs);
    const re = big(a.re);
    await sql`UPDATE ${sql.table(table)} SET obs_count = obs_count + ${big(a.n)},
      phenomenon_time_start = CASE WHEN phenomenon_time_start IS NULL OR phenomenon_time_start > ${ps} THEN ${ps} ELSE phenomenon_time_start END,
      phenomenon_time_end = CASE WHEN phenomenon_time_end IS NULL OR phenomenon_time_end < ${pe} THEN ${pe} ELSE phenomenon_time_end END,
      result_time_start = CASE WHEN ${rs} IS NULL THEN result_time_start WHEN result_time_start IS NULL OR result_time_start > ${rs} THEN ${rs} ELSE result_time_start END,
      result_time_end = CASE WHEN ${re} IS NULL THEN result_time_end WHEN result_time_end IS NULL OR result_time_end < ${re} THEN ${re} ELSE result_time_end END
      WHERE id = ${big(id)}`.execute(trx);
  }
}

/** A typed integer parameter (PostgreSQL cannot infer the type of a bare parameter in CASE). */
export function big(v: number | null) {
  return sql`CAST(${v} AS BIGINT)`;
}

function rollupDeltas(batch: ObservationInput[]): RollupDelta[] {
  const out: RollupDelta[] = [];
  for (const o of batch) {
    if (o.datastreamId === undefined || typeof o.result !== 'number' || !Number.isFinite(o.result)) continue;
    out.push({ datastreamId: o.datastreamId, t: o.phenomenonStart, v: o.result });
  }
  return out;
}

export function isForeignKeyError(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || err?.code === '23503';
}

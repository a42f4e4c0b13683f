import { sql } from 'kysely';
import { AppError } from '../../core/errors.ts';
import type { Database } from '../../storage/database.ts';
import { parseInstant } from '../write/values.ts';
import { bucketStart, HOUR, type Interval, isoInZone, parseInterval, parseZone } from './interval.ts';

export const FUNCTIONS = ['count', 'avg', 'min', 'max', 'sum', 'first', 'last'] as const;
type Fn = (typeof FUNCTIONS)[number];
const MAX_BUCKETS = 100_000;
const MAX_RAW_ROWS = 2_000_000;

interface Acc {
  start: number;
  n: number;
  sum: number;
  min: number;
  max: number;
  ft: number;
  fv: number;
  lt: number;
  lv: number;
}

/** A partial aggregate of some observations: raw rows are the case n = 1. */
interface Part {
  n: number;
  sum: number;
  min: number;
  max: number;
  ft: number;
  fv: number;
  lt: number;
  lv: number;
}

function fold(map: Map<number, Acc>, key: number, p: Part): void {
  const a = map.get(key);
  if (!a) {
    map.set(key, { start: key, ...p });
    return;
  }
  a.n += p.n;
  a.sum += p.sum;
  if (p.min < a.min) a.min = p.min;
  if (p.max > a.max) a.max = p.max;
  if (p.ft < a.ft) {
    a.ft = p.ft;
    a.fv = p.fv;
  }
  if (p.lt >= a.lt) {
    a.lt = p.lt;
    a.lv = p.lv;
  }
}

/**
 * Time aggregation of a Datastream's numeric results (an extension; see docs/api/aggregation.md).
 * Whole hours come from the rollups kept by the write path; only the partial hours at the edges
 * of [from, to) and sub-hour intervals read raw rows. A year of minute data is 8,760 rollup rows.
 */
export async function aggregate(db: Database, datastreamId: number, q: URLSearchParams): Promise<Record<string, unknown>> {
  const iv = parseInterval(q.get('interval'));
  const zone = parseZone(q.get('tz'));
  const fns = parseFunctions(q.get('functions'));
  const ds = (await sql<{ start: number | null; end: number | null }>`SELECT phenomenon_time_start AS start, phenomenon_time_end AS "end" FROM datastreams WHERE id = ${datastreamId}`.execute(db.kysely)).rows[0];
  if (!ds) throw new AppError('NOT_FOUND', `No Datastream(${datastreamId})`);
  const to = q.get('to') ? parseInstant(q.get('to'), 'to') : (ds.end === null ? Date.now() : Number(ds.end) + 1);
  const from = q.get('from') ? parseInstant(q.get('from'), 'from') : Math.max(ds.start === null ? to : Number(ds.start), to - 366 * 86_400_000);
  if (to < from) throw new AppError('INVALID_AGGREGATION', '"to" is before "from"');
  if ((to - from) / iv.ms > MAX_BUCKETS) throw new AppError('QUERY_TOO_COSTLY', `More than ${MAX_BUCKETS} buckets: use a larger interval or a shorter range`);

  const buckets = new Map<number, Acc>();
  const key = (t: number) => bucketStart(t, iv, zone.offsetMin);
  if (iv.ms >= HOUR) {
    const h0 = Math.ceil(from / HOUR) * HOUR;
    const h1 = Math.max(h0, Math.floor(to / HOUR) * HOUR);
    const rows = await sql<{ bucket: number; n: number; sum: number; min: number; max: number; first_t: number; first_v: number; last_t: number; last_v: number }>`
      SELECT bucket, n, sum, min, max, first_t, first_v, last_t, last_v FROM observation_rollups
      WHERE datastream_id = ${datastreamId} AND bucket >= ${h0} AND bucket < ${h1} ORDER BY bucket`.execute(db.kysely);
    for (const r of rows.rows) {
      fold(buckets, key(Number(r.bucket)), { n: Number(r.n), sum: Number(r.sum), min: Number(r.min), max: Number(r.max), ft: Number(r.first_t), fv: Number(r.first_v), lt: Number(r.last_t), lv: Number(r.last_v) });
    }
    if (h0 >= h1) await foldRaw(db, datastreamId, from, to, buckets, key);
    else {
      await foldRaw(db, datastreamId, from, Math.min(h0, to), buckets, key);
      await foldRaw(db, datastreamId, h1, to, buckets, key);
    }
  } else {
    await foldRaw(db, datastreamId, from, to, buckets, key);
  }

  const value = [...buckets.values()]
    .sort((a, b) => a.start - b.start)
    .map((a) => {
      const out: Record<string, unknown> = { start: isoInZone(a.start, zone.offsetMin), end: isoInZone(a.start + iv.ms, zone.offsetMin) };
      for (const f of fns) out[f] = valueOf(f, a);
      return out;
    });
  return { interval: iv.text, timeZone: zone.name, from: isoInZone(from, zone.offsetMin), to: isoInZone(to, zone.offsetMin), functions: fns, value };
}

function valueOf(f: Fn, a: Acc): number {
  switch (f) {
    case 'count':
      return a.n;
    case 'avg':
      return a.sum / a.n;
    case 'min':
      return a.min;
    case 'max':
      return a.max;
    case 'sum':
      return a.sum;
    case 'first':
      return a.fv;
    case 'last':
      return a.lv;
  }
}

async function foldRaw(db: Database, ds: number, from: number, to: number, buckets: Map<number, Acc>, key: (t: number) => number): Promise<void> {
  if (to <= from) return;
  const q = sql<{ t: number; v: number }>`SELECT phenomenon_time_start AS t, result_num AS v FROM observations
    WHERE datastream_id = ${ds} AND phenomenon_time_start >= ${from} AND phenomenon_time_start < ${to} AND result_num IS NOT NULL
    ORDER BY phenomenon_time_start, id LIMIT ${MAX_RAW_ROWS + 1}`;
  if (db.dialect === 'sqlite') {
    // Iterate without materialising every row object at once.
    const c = q.compile(db.kysely);
    let n = 0;
    for (const r of db.sqlite!.prepare(c.sql).raw().iterate(...(c.parameters as unknown[])) as Iterable<[number, number]>) {
      if (++n > MAX_RAW_ROWS) throw new AppError('QUERY_TOO_COSTLY', 'Too many observations for this interval: use 1h or larger');
      fold(buckets, key(r[0]), { n: 1, sum: r[1], min: r[1], max: r[1], ft: r[0], fv: r[1], lt: r[0], lv: r[1] });
    }
    return;
  }
  const rows = (await q.execute(db.kysely)).rows;
  if (rows.length > MAX_RAW_ROWS) throw new AppError('QUERY_TOO_COSTLY', 'Too many observations for this interval: use 1h or larger');
  for (const r of rows) {
    const t = Number(r.t);
    const v = Number(r.v);
    fold(buckets, key(t), { n: 1, sum: v, min: v, max: v, ft: t, fv: v, lt: t, lv: v });
  }
}

function parseFunctions(text: string | null): Fn[] {
  if (!text) return [...FUNCTIONS];
  const list = text.split(',').map((s) => s.trim());
  for (const f of list) if (!(FUNCTIONS as readonly string[]).includes(f)) throw new AppError('INVALID_AGGREGATION', `Unknown function "${f}"; use ${FUNCTIONS.join(', ')}`);
  return list as Fn[];
}

export type { Interval };

import { sql } from 'kysely';
import { AppError } from '../../core/errors.ts';
import type { Database } from '../../storage/database.ts';
import { selectArrays } from '../read/rows.ts';
import { parseInstant } from '../write/values.ts';
import { absorb, type PartialAggregate } from './partial.ts';
import { bucketStart, HOUR, type Interval, isoInZone, parseInterval, parseZone } from './interval.ts';

export const FUNCTIONS = ['count', 'avg', 'min', 'max', 'sum', 'first', 'last'] as const;
type Fn = (typeof FUNCTIONS)[number];
const MAX_BUCKETS = 100_000;
const MAX_RAW_ROWS = 2_000_000;

interface Bucket extends PartialAggregate {
  start: number;
}

/**
 * Buckets in time order. Parts arrive in time order (raw rows before the first whole hour, hourly
 * rollups, raw rows after the last), so a part either joins the last bucket or opens the next one.
 */
class Buckets {
  readonly list: Bucket[] = [];
  constructor(private readonly key: (t: number) => number) {}

  add(t: number, n: number, sum: number, min: number, max: number, ft: number, fv: number, lt: number, lv: number): void {
    const start = this.key(t);
    const last = this.list[this.list.length - 1];
    if (last !== undefined && last.start === start) absorb(last, n, sum, min, max, ft, fv, lt, lv);
    else this.list.push({ start, n, sum, min, max, ft, fv, lt, lv });
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

  const buckets = new Buckets((t) => bucketStart(t, iv, zone.offsetMin));
  const h0 = Math.ceil(from / HOUR) * HOUR;
  const h1 = Math.floor(to / HOUR) * HOUR;
  if (iv.ms >= HOUR && h0 < h1) {
    await foldRaw(db, datastreamId, from, h0, buckets);
    const rows = await selectArrays(
      db,
      sql`SELECT bucket, n, sum, min, max, first_t, first_v, last_t, last_v FROM observation_rollups
      WHERE datastream_id = ${datastreamId} AND bucket >= ${h0} AND bucket < ${h1} ORDER BY bucket`,
    );
    for (const r of rows as number[][]) buckets.add(+r[0]!, +r[1]!, +r[2]!, +r[3]!, +r[4]!, +r[5]!, +r[6]!, +r[7]!, +r[8]!);
    await foldRaw(db, datastreamId, h1, to, buckets);
  } else {
    await foldRaw(db, datastreamId, from, to, buckets);
  }

  const value = buckets.list.map((a) => {
    const out: Record<string, unknown> = { start: isoInZone(a.start, zone.offsetMin), end: isoInZone(a.start + iv.ms, zone.offsetMin) };
    for (const f of fns) out[f] = resultOf(f, a);
    return out;
  });
  return { interval: iv.text, timeZone: zone.name, from: isoInZone(from, zone.offsetMin), to: isoInZone(to, zone.offsetMin), functions: fns, value };
}

function resultOf(f: Fn, a: Bucket): number {
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

async function foldRaw(db: Database, ds: number, from: number, to: number, buckets: Buckets): Promise<void> {
  if (to <= from) return;
  const rows = await selectArrays(
    db,
    sql`SELECT phenomenon_time_start AS t, result_num AS v FROM observations
    WHERE datastream_id = ${ds} AND phenomenon_time_start >= ${from} AND phenomenon_time_start < ${to} AND result_num IS NOT NULL
    ORDER BY phenomenon_time_start, id LIMIT ${MAX_RAW_ROWS + 1}`,
  );
  let n = 0;
  for (const r of rows as number[][]) {
    if (++n > MAX_RAW_ROWS) throw new AppError('QUERY_TOO_COSTLY', 'Too many observations for this interval: use 1h or larger');
    const t = +r[0]!;
    const v = +r[1]!;
    buckets.add(t, 1, v, v, v, t, v, t, v);
  }
}

function parseFunctions(text: string | null): Fn[] {
  if (!text) return [...FUNCTIONS];
  const list = text.split(',').map((s) => s.trim());
  for (const f of list) if (!(FUNCTIONS as readonly string[]).includes(f)) throw new AppError('INVALID_AGGREGATION', `Unknown function "${f}"; use ${FUNCTIONS.join(', ')}`);
  return list as Fn[];
}

export type { Interval };

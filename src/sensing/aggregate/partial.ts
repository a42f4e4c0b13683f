/**
 * A partial aggregate of numeric observations: count, sum, min, max, and the first and last value by
 * time. Partials merge exactly, so hourly rollups, raw rows (n = 1) and wider buckets all fold the
 * same way: the write path keeps hourly partials, the aggregation endpoint merges them.
 */
export interface PartialAggregate {
  n: number;
  sum: number;
  min: number;
  max: number;
  /** Time and value of the earliest observation. */
  ft: number;
  fv: number;
  /** Time and value of the latest observation (the later one in input order on a tie). */
  lt: number;
  lv: number;
}

/** The partial of one observation. */
export function single(t: number, v: number): PartialAggregate {
  return { n: 1, sum: v, min: v, max: v, ft: t, fv: v, lt: t, lv: v };
}

/** Merges another partial, given as its fields (so that hot loops allocate nothing), into `a`. */
export function absorb(a: PartialAggregate, n: number, sum: number, min: number, max: number, ft: number, fv: number, lt: number, lv: number): void {
  a.n += n;
  a.sum += sum;
  if (min < a.min) a.min = min;
  if (max > a.max) a.max = max;
  if (ft < a.ft) {
    a.ft = ft;
    a.fv = fv;
  }
  if (lt >= a.lt) {
    a.lt = lt;
    a.lv = lv;
  }
}

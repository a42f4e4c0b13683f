import type { ComparisonOp } from './ast.ts';
import type { JGeometry } from '../geo/geometry-ops.ts';

/**
 * Values and comparisons of the reference evaluator (test support): plain JavaScript with SQL's
 * three-valued logic (null = unknown), written independently of the SQL compiler to check it.
 */
export type B3 = boolean | null;

export type RV =
  | { t: 'number'; v: number | null }
  | { t: 'string'; v: string | null }
  | { t: 'boolean'; v: B3 }
  | { t: 'datetime' | 'date' | 'timeofday' | 'duration'; v: number | null }
  /** `instant`: statically an instant (a literal or datetime), so e is always null. */
  | { t: 'interval'; s: number | null; e: number | null; instant?: boolean }
  | { t: 'geometry'; g: JGeometry | null; absent: boolean }
  /** JSON value; undefined = missing. */
  | { t: 'dynamic'; v: unknown }
  | { t: 'null' };

export const and3 = (a: B3, b: B3): B3 => (a === false || b === false ? false : a === null || b === null ? null : true);
export const or3 = (a: B3, b: B3): B3 => (a === true || b === true ? true : a === null || b === null ? null : false);
export const not3 = (a: B3): B3 => (a === null ? null : !a);

/** Code point (UTF-8 byte) order, as SQLite BINARY and PostgreSQL COLLATE "C". */
export function cmpStr(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function cmpAny(a: number | string | boolean, b: number | string | boolean): number {
  if (typeof a === 'string') return cmpStr(a, b as string);
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** One SQL comparison: null when either side is null. */
export function cmp(op: ComparisonOp, a: number | string | boolean | null, b: number | string | boolean | null): B3 {
  if (a === null || b === null) return null;
  const c = cmpAny(a, b);
  switch (op) {
    case 'eq':
      return c === 0;
    case 'ne':
      return c !== 0;
    case 'lt':
      return c < 0;
    case 'le':
      return c <= 0;
    case 'gt':
      return c > 0;
    case 'ge':
      return c >= 0;
  }
}

export const dynNum = (v: unknown): number | null => (typeof v === 'number' ? v : null);
export const dynStr = (v: unknown): string | null => (typeof v === 'string' ? v : null);
export const dynBool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);

export function isAbsent(v: RV): boolean {
  switch (v.t) {
    case 'null':
      return true;
    case 'interval':
      return v.s === null;
    case 'geometry':
      return v.absent;
    case 'dynamic':
      return v.v === undefined || v.v === null;
    default:
      return v.v === null;
  }
}

type Span = { s: number | null; e: number | null; instant: boolean };

/** SQL `CASE WHEN c THEN x ELSE y END` where c may be null (→ ELSE). */
const when = (c: B3, x: () => B3, y: () => B3): B3 => (c === true ? x() : y());

/** Interval / instant comparison, the FROST-Server rules (half-open intervals). */
export function cmpSpans(op: ComparisonOp, a: Span, b: Span): B3 {
  const aInst = a.instant || a.e === null;
  const bInst = b.instant || b.e === null;
  const endA = a.e ?? a.s;
  const endB = b.e ?? b.s;
  switch (op) {
    case 'lt':
      return when(aInst, () => cmp('lt', a.s, b.s), () => cmp('le', a.e, b.s));
    case 'gt':
      return when(bInst, () => cmp('gt', a.s, b.s), () => cmp('ge', a.s, b.e));
    case 'le':
      return when(aInst, () => cmp('le', a.s, b.s), () => when(bInst, () => cmp('le', a.e, b.s), () => and3(cmp('le', a.s, b.s), cmp('le', a.e, b.e))));
    case 'ge':
      return when(bInst, () => cmp('ge', a.s, b.s), () => when(aInst, () => cmp('ge', a.s, b.e), () => and3(cmp('ge', a.s, b.s), cmp('ge', a.e, b.e))));
    case 'eq':
      return and3(cmp('eq', a.s, b.s), cmp('eq', endA, endB));
    case 'ne':
      return not3(and3(cmp('eq', a.s, b.s), cmp('eq', endA, endB)));
  }
}

export function spanOf(v: RV): Span | undefined {
  if (v.t === 'interval') return { s: v.s, e: v.e, instant: v.instant === true };
  if (v.t === 'datetime' || v.t === 'date') return { s: v.v, e: null, instant: true };
  return undefined;
}

/** The comparison rules of compile-compare.ts, on values. */
export function compareRV(op: ComparisonOp, l: RV, r: RV): B3 {
  if (l.t === 'null' || r.t === 'null') {
    if (l.t === 'null' && r.t === 'null') return op === 'eq';
    const absent = isAbsent(l.t === 'null' ? r : l);
    return op === 'eq' ? absent : !absent;
  }
  if (l.t === 'dynamic' && r.t === 'dynamic') {
    const n = cmp(op, dynNum(l.v), dynNum(r.v));
    if (n !== null) return n;
    const s = cmp(op, dynStr(l.v), dynStr(r.v));
    return s !== null ? s : cmp(op, dynBool(l.v), dynBool(r.v));
  }
  if (l.t === 'dynamic' || r.t === 'dynamic') {
    const flip = l.t !== 'dynamic';
    const dyn = (flip ? r : l) as { v: unknown };
    const other = (flip ? l : r) as { t: string; v: number | string | boolean | null };
    const dv = other.t === 'number' ? dynNum(dyn.v) : other.t === 'string' ? dynStr(dyn.v) : dynBool(dyn.v);
    return flip ? cmp(op, other.v, dv) : cmp(op, dv, other.v);
  }
  const a = spanOf(l);
  const b = spanOf(r);
  if (a && b) return cmpSpans(op, a, b);
  return cmp(op, (l as { v: number | string | boolean | null }).v, (r as { v: number | string | boolean | null }).v);
}

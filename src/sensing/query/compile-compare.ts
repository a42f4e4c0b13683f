import { sql } from 'kysely';
import type { ComparisonOp, Expr } from './ast.ts';
import { type Env, type Frag, type Val, describeType, wrongType } from './compile-env.ts';
import { compileValue } from './compile-expr.ts';
import { parseDateTimeText } from './literals.ts';
import { collateC, intParam } from './sql-dialect.ts';

/**
 * Comparisons (eq ne gt ge lt le) with static typing.
 *
 * - numbers, strings (code-point order on both databases), booleans, times of day, durations:
 *   ordinary SQL comparison; NULL operands give NULL (the row does not match).
 * - `x eq null` / `x ne null` test for absence; null is not ordered (gt null is WRONG_TYPE).
 * - JSON values (JSON properties, Observation.result) compare by the type of the other side:
 *   with a number only numeric JSON values take part, with a string only strings, with a boolean
 *   only booleans; other JSON types make the comparison NULL. JSON vs JSON compares when both have
 *   the same primitive type.
 * - instants and intervals follow FROST-Server: intervals are half-open [start, end); `lt` means
 *   entirely before, `gt` entirely after, `le`/`ge` additionally allow the same start/end, `eq`
 *   needs the same start and end (an interval never equals an instant). See docs/api/filter.md.
 * - anything else (a string with a number, a geometry with anything) is WRONG_TYPE.
 */

const SQL_OP: Record<ComparisonOp, string> = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' };

export function compileComparison(e: Expr & { kind: 'binary' }, env: Env): Frag {
  let l = compileValue(e.left, env);
  let r = compileValue(e.right, env);
  l = coerceTimeString(l, e.left, r, env);
  r = coerceTimeString(r, e.right, l, env);
  return compare(e.op as ComparisonOp, l, r, env, e.pos);
}

/** `phenomenonTime gt '2020-01-01T00:00:00Z'`: a string literal compared with a time is parsed. */
function coerceTimeString(v: Val, node: Expr, other: Val, env: Env): Val {
  if (v.t !== 'string' || node.kind !== 'literal' || node.value.type !== 'string') return v;
  if (other.t !== 'datetime' && other.t !== 'date' && other.t !== 'interval') return v;
  const ms = parseDateTimeText(node.value.value);
  if (ms === null) throw wrongType(`'${node.value.value.slice(0, 40)}' is not an ISO 8601 date-time to compare with a time`, node.pos);
  return { t: 'datetime', sql: intParam(env.d, ms), simple: true, lit: ms };
}

function op(o: ComparisonOp, a: Frag, b: Frag): Frag {
  return sql`(${a} ${sql.raw(SQL_OP[o])} ${b})`;
}

export function isNullOf(v: Val): Frag {
  switch (v.t) {
    case 'null':
      return sql`(1 = 1)`;
    case 'interval':
      return sql`(${v.start} IS NULL)`;
    case 'geometry':
    case 'dynamic':
      return v.isNull;
    default:
      return sql`(${v.sql} IS NULL)`;
  }
}

type Span = { s: Frag; e: Frag | null };

function asSpan(v: Val): Span | undefined {
  if (v.t === 'interval') return { s: v.start, e: v.end };
  if (v.t === 'datetime' || v.t === 'date') return { s: v.sql, e: null };
  return undefined;
}

export function compare(o: ComparisonOp, l: Val, r: Val, env: Env, pos: number): Frag {
  if (l.t === 'null' || r.t === 'null') {
    if (o !== 'eq' && o !== 'ne') throw wrongType(`null can only be compared with eq or ne, not ${o}`, pos);
    if (l.t === 'null' && r.t === 'null') return o === 'eq' ? sql`(1 = 1)` : sql`(1 = 0)`;
    const test = isNullOf(l.t === 'null' ? r : l);
    return o === 'eq' ? test : sql`(NOT ${test})`;
  }
  if (l.t === 'dynamic' || r.t === 'dynamic') return compareDynamic(o, l, r, env, pos);
  const a = asSpan(l);
  const b = asSpan(r);
  if (a && b) return compareSpans(o, a, b);
  if (l.t === r.t && (l.t === 'number' || l.t === 'boolean' || l.t === 'timeofday' || l.t === 'duration')) {
    return op(o, l.sql, (r as { sql: Frag }).sql);
  }
  if (l.t === 'string' && r.t === 'string') return op(o, collateC(env.d, l.sql), r.sql);
  if (l.t === 'geometry' || r.t === 'geometry') throw wrongType(`Geometries cannot be compared with ${o}; use st_equals or geo.intersects`, pos);
  throw wrongType(`Cannot compare ${describeType(l)} with ${describeType(r)} using ${o}`, pos);
}

function compareDynamic(o: ComparisonOp, l: Val, r: Val, env: Env, pos: number): Frag {
  if (l.t === 'dynamic' && r.t === 'dynamic') {
    return sql`COALESCE(${op(o, l.num, r.num)}, ${op(o, collateC(env.d, l.str), r.str)}, ${op(o, l.bool, r.bool)})`;
  }
  const flip = l.t !== 'dynamic';
  const dyn = (flip ? r : l) as Val & { t: 'dynamic' };
  const other = flip ? l : r;
  const side = (x: Frag, y: Frag) => (flip ? op(o, y, x) : op(o, x, y));
  switch (other.t) {
    case 'number':
      return side(dyn.num, other.sql);
    case 'string':
      return flip ? op(o, collateC(env.d, other.sql), dyn.str) : op(o, collateC(env.d, dyn.str), other.sql);
    case 'boolean':
      return side(dyn.bool, other.sql);
    default:
      throw wrongType(
        `Cannot compare a JSON value with ${describeType(other)}; JSON values compare with numbers, strings and booleans (for times use a string such as '2020-01-01T00:00:00Z')`,
        pos,
      );
  }
}

/**
 * Instants and intervals; `e: null` is an instant known statically, else an end column that is
 * NULL at run time for instants (Observation.phenomenonTime may be either).
 */
function compareSpans(o: ComparisonOp, a: Span, b: Span): Frag {
  const end = (x: Span) => (x.e ? sql`COALESCE(${x.e}, ${x.s})` : x.s);
  // The redundant leading start comparison (implied by every branch, since start ≤ end) lets a
  // range scan on the start column's index serve the CASE.
  const startLe = (f: Frag) => sql`(${a.s} <= ${b.s} AND ${f})`;
  const startGe = (f: Frag) => sql`(${a.s} >= ${b.s} AND ${f})`;
  switch (o) {
    case 'lt':
      return a.e ? startLe(sql`(CASE WHEN ${a.e} IS NULL THEN ${a.s} < ${b.s} ELSE ${a.e} <= ${b.s} END)`) : op('lt', a.s, b.s);
    case 'gt':
      return b.e ? startGe(sql`(CASE WHEN ${b.e} IS NULL THEN ${a.s} > ${b.s} ELSE ${a.s} >= ${b.e} END)`) : op('gt', a.s, b.s);
    case 'le':
      if (!a.e) return op('le', a.s, b.s);
      if (!b.e) return startLe(op('le', end(a), b.s));
      return startLe(sql`(CASE WHEN ${a.e} IS NULL THEN ${a.s} <= ${b.s} WHEN ${b.e} IS NULL THEN ${a.e} <= ${b.s} ELSE (${a.s} <= ${b.s} AND ${a.e} <= ${b.e}) END)`);
    case 'ge':
      if (!b.e) return op('ge', a.s, b.s);
      if (!a.e) return op('ge', a.s, end(b));
      return startGe(sql`(CASE WHEN ${b.e} IS NULL THEN ${a.s} >= ${b.s} WHEN ${a.e} IS NULL THEN ${a.s} >= ${b.e} ELSE (${a.s} >= ${b.s} AND ${a.e} >= ${b.e}) END)`);
    case 'eq':
      return !a.e && !b.e ? op('eq', a.s, b.s) : sql`(${a.s} = ${b.s} AND ${end(a)} = ${end(b)})`;
    case 'ne':
      return !a.e && !b.e ? op('ne', a.s, b.s) : sql`(NOT (${a.s} = ${b.s} AND ${end(a)} = ${end(b)}))`;
  }
}

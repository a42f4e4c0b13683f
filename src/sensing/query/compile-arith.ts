import { sql } from 'kysely';
import type { ArithmeticOp } from './ast.ts';
import { type Env, type Frag, type Val, bindOnce, describeType, wrongType } from './compile-env.ts';
import { asDouble, dconst, numParam } from './sql-dialect.ts';

/**
 * Arithmetic (add sub mul div mod) in IEEE double precision, identical on SQLite, PostgreSQL and
 * the reference evaluator. PostgreSQL raises errors on float overflow/underflow where SQLite yields
 * Infinity/0, so operands outside a safe range make the result NULL on every backend instead:
 * add/sub need |x| < 1e300; mul/div/mod need each operand 0 or 1e-150 ≤ |x| ≤ 1e150; division and
 * modulo by zero are NULL. `mod` is the truncated remainder x - y·trunc(x/y) (sign of x).
 *
 * Time arithmetic (exact, in integer milliseconds): datetime ± duration → datetime,
 * datetime − datetime → duration, duration ± duration → duration, interval ± duration → interval.
 */

const ADD_LIMIT = 1e300;
const MUL_MAX = 1e150;
const MUL_MIN = 1e-150;

function okMul(v: number): boolean {
  return v === 0 || (Math.abs(v) >= MUL_MIN && Math.abs(v) <= MUL_MAX);
}

/** The arithmetic on plain numbers, shared with the reference evaluator (null = SQL NULL). */
export function numArith(op: ArithmeticOp, x: number | null, y: number | null): number | null {
  if (x === null || y === null) return null;
  if (op === 'add' || op === 'sub') {
    if (!(Math.abs(x) < ADD_LIMIT && Math.abs(y) < ADD_LIMIT)) return null;
    return op === 'add' ? x + y : x - y;
  }
  if (!okMul(x) || !okMul(y)) return null;
  if (op === 'mul') return x * y;
  if (y === 0) return null;
  return op === 'div' ? x / y : x - y * Math.trunc(x / y);
}

type NumOperand = { sql: Frag; simple?: boolean; lit?: number };

function numOperand(v: Val, env: Env): NumOperand | undefined {
  if (v.t === 'number') return v.lit !== undefined ? { sql: numParam(env.d, v.lit, false), simple: true, lit: v.lit } : { sql: asDouble(env.d, v.sql), simple: v.simple };
  if (v.t === 'dynamic') return { sql: asDouble(env.d, v.num), simple: v.simple };
  return undefined;
}

export function typedNullNumber(env: Env): Val {
  return { t: 'number', sql: env.d === 'postgres' ? sql`CAST(NULL AS double precision)` : sql`NULL`, int: false, simple: true };
}

/** `x` when |x| < 1e300, else NULL — with `x` written once (LEAST/GREATEST ignore NULL on PostgreSQL, NULLIF restores it). */
function addGuard(x: Frag, env: Env): Frag {
  const hi = dconst(env.d, '1e300');
  const lo = dconst(env.d, '-1e300');
  return env.d === 'postgres' ? sql`NULLIF(NULLIF(LEAST(GREATEST(${x}, ${lo}), ${hi}), ${hi}), ${lo})` : sql`NULLIF(NULLIF(min(max(${x}, ${lo}), ${hi}), ${hi}), ${lo})`;
}

function numeric(op: ArithmeticOp, a: NumOperand, b: NumOperand, env: Env): Val {
  if (a.lit !== undefined && b.lit !== undefined) {
    const v = numArith(op, a.lit, b.lit);
    return v === null ? typedNullNumber(env) : { t: 'number', sql: numParam(env.d, v, false), int: false, simple: true, lit: v };
  }
  if (op === 'add' || op === 'sub') {
    const s = sql`(${addGuard(a.sql, env)} ${sql.raw(op === 'add' ? '+' : '-')} ${addGuard(b.sql, env)})`;
    return { t: 'number', sql: s, int: false };
  }
  const d = env.d;
  // Range checks on literals are decided here; only non-literal operands are checked in SQL.
  if ((a.lit !== undefined && !okMul(a.lit)) || (b.lit !== undefined && !okMul(b.lit)) || (op !== 'mul' && b.lit === 0)) return typedNullNumber(env);
  const ok = (v: Frag, o: NumOperand) => (o.lit !== undefined ? [] : [sql`(${v} = 0 OR (abs(${v}) >= ${dconst(d, '1e-150')} AND abs(${v}) <= ${dconst(d, '1e150')}))`]);
  const s = bindOnce(env, [a, b], ([x, y]) => {
    const conds = [...ok(x!, a), ...ok(y!, b)];
    if (op !== 'mul' && b.lit === undefined) conds.push(sql`${y} <> 0`);
    const res = op === 'mul' ? sql`${x} * ${y}` : op === 'div' ? sql`${x} / ${y}` : sql`${x} - ${y} * trunc(${x} / ${y})`;
    return conds.length ? sql`(CASE WHEN ${sql.join(conds, sql` AND `)} THEN ${res} END)` : sql`(${res})`;
  });
  return { t: 'number', sql: s, int: false };
}

const INSTANT = new Set(['datetime', 'date']);

export function compileArithmetic(op: ArithmeticOp, l: Val, r: Val, env: Env, pos: number): Val {
  const a = numOperand(l, env);
  const b = numOperand(r, env);
  if (a && b) return numeric(op, a, b, env);
  const sign = sql.raw(op === 'add' ? '+' : '-');
  if (op === 'add' || op === 'sub') {
    if (INSTANT.has(l.t) && r.t === 'duration') return { t: 'datetime', sql: sql`(${(l as { sql: Frag }).sql} ${sign} ${r.sql})` };
    if (op === 'add' && l.t === 'duration' && INSTANT.has(r.t)) return { t: 'datetime', sql: sql`(${l.sql} + ${(r as { sql: Frag }).sql})` };
    if (op === 'sub' && INSTANT.has(l.t) && INSTANT.has(r.t)) return { t: 'duration', sql: sql`(${(l as { sql: Frag }).sql} - ${(r as { sql: Frag }).sql})` };
    if (l.t === 'duration' && r.t === 'duration') return { t: 'duration', sql: sql`(${l.sql} ${sign} ${r.sql})` };
    if (l.t === 'interval' && r.t === 'duration') {
      return { t: 'interval', start: sql`(${l.start} ${sign} ${r.sql})`, end: l.end ? sql`(${l.end} ${sign} ${r.sql})` : null };
    }
  }
  throw wrongType(`Cannot ${op} ${describeType(l)} and ${describeType(r)}`, pos);
}

export function negate(v: Val, env: Env, pos: number): Val {
  if (v.t === 'number') {
    if (v.lit !== undefined) return { t: 'number', sql: numParam(env.d, -v.lit || 0, v.int), int: v.int, simple: true, lit: -v.lit || 0 };
    return { t: 'number', sql: sql`(-(${v.sql}))`, int: v.int };
  }
  if (v.t === 'dynamic') return { t: 'number', sql: sql`(-(${v.num}))`, int: false };
  if (v.t === 'duration') return { t: 'duration', sql: sql`(-(${v.sql}))` };
  throw wrongType(`Cannot negate ${describeType(v)}`, pos);
}

import { sql } from 'kysely';
import type { Expr } from './ast.ts';
import { type Env, type Frag, type Val, bindOnce, describeType, wrongType } from './compile-env.ts';
import { compileValue } from './compile-expr.ts';
import { compileGeoCall } from './compile-geo.ts';
import { DAY_MS, MAX_CALENDAR_MS, MIN_CALENDAR_MS } from './literals.ts';
import { asDouble, dconst, intParam, posmod } from './sql-dialect.ts';

/**
 * String, date and math functions (OData 4.0 URL conventions §5.1.1.5-5.1.1.9).
 *
 * Strings are sequences of Unicode code points (length, indexof and substring count code points;
 * indexes are 0-based). substring clamps a negative start or length to 0. tolower/toupper use
 * the simple per-character Unicode mapping; trim removes spaces (U+0020) only.
 * Date functions evaluate in UTC (instants are stored in UTC, so totaloffsetminutes is 0); on an
 * interval they use its start. year/month/day are NULL outside years 0001-9999.
 * round rounds half away from zero.
 */

type Call = Expr & { kind: 'call' };
type Str = { sql: Frag; simple?: boolean };

function strArg(v: Val, f: string, pos: number): Str {
  if (v.t === 'string') return v;
  if (v.t === 'dynamic') return { sql: v.str, simple: v.simple };
  throw wrongType(`${f}() expects a string argument, not ${describeType(v)}`, pos);
}

function numArg(v: Val, env: Env, f: string, pos: number): { sql: Frag; simple?: boolean; lit?: number } {
  if (v.t === 'number') return { sql: asDouble(env.d, v.sql), simple: v.simple, lit: v.lit };
  if (v.t === 'dynamic') return { sql: asDouble(env.d, v.num), simple: v.simple };
  throw wrongType(`${f}() expects a number argument, not ${describeType(v)}`, pos);
}

/** Epoch ms of a datetime-like argument (an interval's start). */
function instantArg(v: Val, f: string, pos: number, allowTimeOfDay = false): { sql: Frag; simple?: boolean } {
  if (v.t === 'datetime' || v.t === 'date') return v;
  if (v.t === 'interval') return { sql: v.start, simple: v.simple };
  if (allowTimeOfDay && v.t === 'timeofday') return v;
  throw wrongType(`${f}() expects a date-time argument, not ${describeType(v)}`, pos);
}

function args(e: Call, env: Env): Val[] {
  return e.args.map((a) => compileValue(a, env));
}

/** Boolean functions: startswith, endswith, contains, substringof and the spatial predicates. */
export function compilePredicateCall(e: Call, env: Env): Frag {
  if (e.name === 'geo.intersects' || e.name.startsWith('st_')) return compileGeoCall(e, env).sql as Frag;
  const [a, b] = args(e, env);
  const pg = env.d === 'postgres';
  // substringof(p, s) is the OData 2 spelling of contains(s, p).
  const [s, p] = e.name === 'substringof' ? [strArg(b!, e.name, e.pos), strArg(a!, e.name, e.pos)] : [strArg(a!, e.name, e.pos), strArg(b!, e.name, e.pos)];
  switch (e.name) {
    case 'startswith':
      return pg ? sql`starts_with(${s.sql}, ${p.sql})` : sql`(substr(${s.sql}, 1, length(${p.sql})) = ${p.sql})`;
    case 'endswith':
      return pg
        ? sql`(right(${s.sql}, length(${p.sql})) = ${p.sql})`
        : sql`(CASE WHEN length(${p.sql}) > length(${s.sql}) THEN 0 ELSE substr(${s.sql}, length(${s.sql}) - length(${p.sql}) + 1) = ${p.sql} END)`;
    default:
      return pg ? sql`(strpos(${s.sql}, ${p.sql}) > 0)` : sql`(instr(${s.sql}, ${p.sql}) > 0)`;
  }
}

/** A substring bound: floor, clamped to [0, 1e9], an SQL integer; NULL stays NULL. */
function clampIndex(v: { sql: Frag; simple?: boolean; lit?: number }, env: Env): Frag {
  if (v.lit !== undefined) {
    const n = Math.min(Math.max(Math.floor(v.lit), 0), 1e9);
    return env.d === 'postgres' ? sql`CAST(${n} AS integer)` : sql`CAST(${n} AS INTEGER)`;
  }
  if (env.d === 'sqlite') return sql`CAST(min(max(floor(${v.sql}), 0), 1000000000) AS INTEGER)`;
  return bindOnce(env, [v], ([x]) => sql`(CASE WHEN ${x} IS NULL THEN NULL ELSE CAST(LEAST(GREATEST(floor(${x}), 0), 1000000000) AS integer) END)`);
}

export function compileCall(e: Call, env: Env): Val {
  if (e.name.startsWith('geo.')) return compileGeoCall(e, env);
  const d = env.d;
  const pg = d === 'postgres';
  const v = args(e, env);
  const f = e.name;
  switch (f) {
    case 'length':
      return { t: 'number', sql: sql`length(${strArg(v[0]!, f, e.pos).sql})`, int: true };
    case 'tolower':
    case 'toupper': {
      const s = strArg(v[0]!, f, e.pos).sql;
      const fn = sql.raw(pg ? (f === 'tolower' ? 'lower' : 'upper') : f === 'tolower' ? 'cantho_lower' : 'cantho_upper');
      return { t: 'string', sql: sql`${fn}(${s})` };
    }
    case 'trim':
      return { t: 'string', sql: sql`trim(${strArg(v[0]!, f, e.pos).sql})` };
    case 'concat':
      return { t: 'string', sql: sql`(${sql.join(v.map((x) => strArg(x, f, e.pos).sql), sql` || `)})` };
    case 'indexof': {
      const [s, p] = [strArg(v[0]!, f, e.pos).sql, strArg(v[1]!, f, e.pos).sql];
      return { t: 'number', sql: pg ? sql`(strpos(${s}, ${p}) - 1)` : sql`(instr(${s}, ${p}) - 1)`, int: true };
    }
    case 'substring': {
      const s = strArg(v[0]!, f, e.pos).sql;
      const start = clampIndex(numArg(v[1]!, env, f, e.pos), env);
      if (v.length === 2) return { t: 'string', sql: sql`substr(${s}, ${start} + 1)` };
      const len = clampIndex(numArg(v[2]!, env, f, e.pos), env);
      return { t: 'string', sql: sql`substr(${s}, ${start} + 1, ${len})` };
    }
    case 'round':
    case 'floor':
    case 'ceiling': {
      const x = numArg(v[0]!, env, f, e.pos);
      if (f === 'floor') return { t: 'number', sql: sql`floor(${x.sql})`, int: false };
      if (f === 'ceiling') return { t: 'number', sql: sql`ceil(${x.sql})`, int: false };
      const s = bindOnce(env, [x], ([y]) => sql`(CASE WHEN abs(${y}) >= ${dconst(d, '4503599627370496')} THEN ${y} WHEN ${y} >= 0 THEN floor(${y} + ${dconst(d, '0.5')}) ELSE ceil(${y} - ${dconst(d, '0.5')}) END)`);
      return { t: 'number', sql: s, int: false };
    }
    case 'now':
      return { t: 'datetime', sql: intParam(d, env.state.now), simple: true, lit: env.state.now };
    case 'mindatetime':
      return { t: 'datetime', sql: intParam(d, MIN_CALENDAR_MS), simple: true, lit: MIN_CALENDAR_MS };
    case 'maxdatetime':
      return { t: 'datetime', sql: intParam(d, MAX_CALENDAR_MS), simple: true, lit: MAX_CALENDAR_MS };
    default:
      return dateFunction(e, v[0]!, env);
  }
}

const PG_FIELD: Record<string, string> = { year: 'YEAR', month: 'MONTH', day: 'DAY' };
const SQLITE_FMT: Record<string, string> = { year: '%Y', month: '%m', day: '%d' };

function dateFunction(e: Call, arg: Val, env: Env): Val {
  const f = e.name;
  const d = env.d;
  const int = (s: Frag): Val => ({ t: 'number', sql: s, int: true });
  switch (f) {
    case 'year':
    case 'month':
    case 'day': {
      const t = instantArg(arg, f, e.pos);
      return int(
        bindOnce(env, [t], ([x]) => {
          const dayStart = sql`(${x} - ${posmod(x!, DAY_MS)})`;
          const part =
            d === 'postgres'
              ? sql`CAST(EXTRACT(${sql.raw(PG_FIELD[f]!)} FROM to_timestamp(CAST(${dayStart} AS double precision) / 1000) AT TIME ZONE 'UTC') AS integer)`
              : sql`CAST(strftime(${sql.raw(`'${SQLITE_FMT[f]}'`)}, ${dayStart} / 1000, 'unixepoch') AS INTEGER)`;
          return sql`(CASE WHEN ${x} BETWEEN ${intParam(d, MIN_CALENDAR_MS)} AND ${intParam(d, MAX_CALENDAR_MS)} THEN ${part} END)`;
        }),
      );
    }
    case 'hour':
      return int(sql`(${posmod(instantArg(arg, f, e.pos, true).sql, DAY_MS)} / 3600000)`);
    case 'minute':
      return int(sql`(${posmod(instantArg(arg, f, e.pos, true).sql, 3_600_000)} / 60000)`);
    case 'second':
      return int(sql`(${posmod(instantArg(arg, f, e.pos, true).sql, 60_000)} / 1000)`);
    case 'fractionalseconds':
      return { t: 'number', sql: sql`(${asDouble(d, posmod(instantArg(arg, f, e.pos, true).sql, 1000))} / 1000)`, int: false };
    case 'date': {
      const t = instantArg(arg, f, e.pos);
      return { t: 'date', sql: bindOnce(env, [t], ([x]) => sql`(${x} - ${posmod(x!, DAY_MS)})`) };
    }
    case 'time':
      return { t: 'timeofday', sql: posmod(instantArg(arg, f, e.pos).sql, DAY_MS) };
    case 'totaloffsetminutes':
      return int(sql`(${instantArg(arg, f, e.pos).sql} * 0)`);
  }
  throw wrongType(`Unknown function ${f}()`, e.pos);
}

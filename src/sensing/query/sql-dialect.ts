import { sql } from 'kysely';
import type { Frag, SqlDialect, Val } from './compile-env.ts';

/**
 * Dialect-specific SQL building blocks. Parameters are always typed explicitly on PostgreSQL
 * (`CAST($1 AS text)`), since untyped parameters make function resolution ambiguous there;
 * better-sqlite3 binds every JS number as REAL, so integers meant as such are cast to INTEGER.
 */

export function strParam(d: SqlDialect, v: string): Frag {
  return d === 'postgres' ? sql`CAST(${v} AS text)` : sql`${v}`;
}

/** A number literal: bigint when integral (keeps id/time comparisons index-friendly), else double. */
export function numParam(d: SqlDialect, v: number, int: boolean): Frag {
  if (d === 'postgres') return int ? sql`CAST(${v} AS bigint)` : sql`CAST(${v} AS double precision)`;
  return sql`${v}`;
}

/** An integer parameter (epoch ms, durations): INTEGER on SQLite so that `/` and `%` stay integral. */
export function intParam(d: SqlDialect, v: number): Frag {
  return d === 'postgres' ? sql`CAST(${v} AS bigint)` : sql`CAST(${v} AS INTEGER)`;
}

export function boolConst(d: SqlDialect, b: boolean): Frag {
  return sql.raw(d === 'postgres' ? (b ? 'TRUE' : 'FALSE') : b ? '1' : '0');
}

/** A fixed numeric constant from this code (never user input) as a double. */
export function dconst(d: SqlDialect, text: string): Frag {
  if (!/^[0-9.e+-]+$/.test(text)) throw new Error(`not a numeric constant: ${text}`);
  return sql.raw(d === 'postgres' ? `CAST(${text} AS double precision)` : text);
}

export function asDouble(d: SqlDialect, x: Frag): Frag {
  return d === 'postgres' ? sql`CAST(${x} AS double precision)` : sql`CAST(${x} AS REAL)`;
}

/** Byte-wise (code point) string comparison on PostgreSQL, as SQLite's BINARY collation does. */
export function collateC(d: SqlDialect, x: Frag): Frag {
  return d === 'postgres' ? sql`${x} COLLATE "C"` : x;
}

export function sqliteJsonPath(path: readonly (string | number)[]): string {
  return `$${path.map((p) => (typeof p === 'number' ? `[${p}]` : `."${p}"`)).join('')}`;
}

/**
 * Typed accessors of a JSON value at `path` inside a JSON column (TEXT on SQLite, JSONB on
 * PostgreSQL). Each accessor yields NULL when the value is missing or of another JSON type, so a
 * type mismatch in the data never raises an SQL error.
 */
export function jsonAccess(d: SqlDialect, column: Frag, path: readonly (string | number)[], simple: boolean): Val {
  if (d === 'sqlite') {
    const p = sqliteJsonPath(path);
    const type = sql`json_type(${column}, ${p})`;
    return {
      t: 'dynamic',
      num: sql`(CASE WHEN ${type} IN ('integer', 'real') THEN json_extract(${column}, ${p}) END)`,
      str: sql`(CASE WHEN ${type} = 'text' THEN json_extract(${column}, ${p}) END)`,
      bool: sql`(CASE ${type} WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)`,
      isNull: sql`(COALESCE(${type}, 'null') = 'null')`,
      simple,
    };
  }
  // `->` on a scalar with index 0 returns the scalar itself (PostgreSQL quirk), so paths with array
  // indexes go through a strict SQL/JSON path whose errors are silenced to NULL.
  if (path.some((p) => typeof p === 'number')) {
    const jp = `strict ${sqliteJsonPath(path)}`;
    return pgDynamic(sql`jsonb_path_query_first(${column}, CAST(${jp} AS jsonpath), '{}'::jsonb, true)`, simple);
  }
  let v = column;
  for (const p of path) v = sql`(${v} -> CAST(${p} AS text))`;
  return pgDynamic(v, simple);
}

function pgDynamic(v: Frag, simple: boolean): Val {
  return {
    t: 'dynamic',
    num: sql`(CASE WHEN jsonb_typeof(${v}) = 'number' THEN CAST(${v} AS double precision) END)`,
    str: sql`(CASE WHEN jsonb_typeof(${v}) = 'string' THEN ${v} #>> '{}' END)`,
    bool: sql`(CASE WHEN jsonb_typeof(${v}) = 'boolean' THEN CAST(${v} AS boolean) END)`,
    isNull: sql`(COALESCE(jsonb_typeof(${v}), 'null') = 'null')`,
    simple,
  };
}

/**
 * Observation.result over its three columns: numbers in result_num, strings in result_str, any
 * other JSON (booleans, objects, arrays, null) in result_json.
 */
export function resultAccess(d: SqlDialect, num: Frag, str: Frag, json: Frag, simple: boolean): Val {
  const j = d === 'sqlite' ? sql`json_type(${json})` : sql`jsonb_typeof(${json})`;
  const bool =
    d === 'sqlite' ? sql`(CASE ${j} WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)` : sql`(CASE WHEN ${j} = 'boolean' THEN CAST(${json} AS boolean) END)`;
  return {
    t: 'dynamic',
    num,
    str,
    bool,
    isNull: sql`(${num} IS NULL AND ${str} IS NULL AND COALESCE(${j}, 'null') = 'null')`,
    simple,
  };
}

/** Non-negative remainder `((t % m) + m) % m` for integer epoch ms (both dialects truncate `%`). */
export function posmod(t: Frag, m: number): Frag {
  const c = sql.raw(String(Math.trunc(m)));
  return sql`(((${t} % ${c}) + ${c}) % ${c})`;
}

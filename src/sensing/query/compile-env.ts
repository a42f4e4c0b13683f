import { type RawBuilder, sql } from 'kysely';
import { AppError } from '../../core/errors.ts';
import type { EntityDef } from '../model/entities.ts';

/** A piece of SQL; user values only ever enter as bound parameters. */
export type Frag = RawBuilder<unknown>;
export type SqlDialect = 'sqlite' | 'postgres';

/**
 * The static type of a compiled expression and its SQL. `simple` marks SQL whose size does not
 * grow with the expression's nesting (a column, a parameter, a JSON accessor on a column): such
 * SQL may be repeated, anything else is bound once in a sub-select before it is reused.
 */
export type Val =
  | { readonly t: 'number'; readonly sql: Frag; readonly int: boolean; readonly simple?: boolean; readonly lit?: number }
  | { readonly t: 'string'; readonly sql: Frag; readonly simple?: boolean; readonly lit?: string }
  | { readonly t: 'boolean'; readonly sql: Frag; readonly simple?: boolean }
  /** Epoch ms (datetime, date at UTC midnight), ms since midnight (timeofday), ms (duration). */
  | { readonly t: 'datetime' | 'date' | 'timeofday' | 'duration'; readonly sql: Frag; readonly simple?: boolean; readonly lit?: number }
  /** An interval column pair: `end` NULL at run time means an instant; `end: null` means statically an instant. */
  | { readonly t: 'interval'; readonly start: Frag; readonly end: Frag | null; readonly simple?: boolean }
  /** SQLite: GeoJSON or WKT text. PostgreSQL: a PostGIS geometry (NULL when unusable). */
  | { readonly t: 'geometry'; readonly sql: Frag; readonly isNull: Frag }
  /** A JSON value of unknown type (JSON properties, Observation.result): typed accessors, NULL on mismatch. */
  | { readonly t: 'dynamic'; readonly num: Frag; readonly str: Frag; readonly bool: Frag; readonly isNull: Frag; readonly simple?: boolean }
  | { readonly t: 'null' };

export type ValType = Val['t'];

/** Cost bounds of one compiled expression (QUERY_TOO_COSTLY beyond them). */
export const COMPILE_LIMITS = { maxSubqueries: 40, maxBinds: 48 } as const;

export interface CompileState {
  seq: number;
  subqueries: number;
  binds: number;
  readonly now: number;
}

export interface Env {
  readonly d: SqlDialect;
  /** The entity and SQL alias of the enclosing query's main table. */
  readonly entity: EntityDef;
  readonly alias: string;
  /** To-many path prefixes (`Datastreams/Observations`) bound by an enclosing EXISTS → alias. */
  readonly bindings: ReadonlyMap<string, string>;
  readonly state: CompileState;
  /** Error code for malformed-expression errors (INVALID_FILTER or INVALID_ORDERBY). */
  readonly code: 'INVALID_FILTER' | 'INVALID_ORDERBY';
}

/** A fresh SQL alias, unique within one compiled expression. */
export function freshAlias(env: Env, kind: string): string {
  return `_q${kind}${++env.state.seq}`;
}

export function countSubquery(env: Env): void {
  if (++env.state.subqueries > COMPILE_LIMITS.maxSubqueries) {
    throw new AppError('QUERY_TOO_COSTLY', `The expression needs more than ${COMPILE_LIMITS.maxSubqueries} navigation subqueries; simplify it`);
  }
}

/** The type with its article, for messages: "a number", "an interval", "a JSON value". */
export function describeType(v: Val | ValType): string {
  const t = typeof v === 'string' ? v : v.t;
  const name = t === 'dynamic' ? 'JSON value' : t === 'timeofday' ? 'time of day' : t === 'null' ? 'null' : t;
  if (t === 'null') return 'null';
  return `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name}`;
}

export function wrongType(msg: string, pos: number): AppError {
  return new AppError('WRONG_TYPE', `${msg} (at character ${pos})`);
}

/** `alias.column` for identifiers taken from the entity model. */
export function colRef(alias: string, column: string): Frag {
  return sql.ref(`${alias}.${column}`);
}

/**
 * Binds non-simple SQL values once and lets `body` refer to them any number of times:
 * `(SELECT body FROM (SELECT v0 AS x0, ... OFFSET 0) AS _ql1)`. Both SQLite and PostgreSQL allow the
 * derived table to refer to the outer query's columns.
 */
export function bindOnce(env: Env, parts: readonly { sql: Frag; simple?: boolean }[], body: (refs: Frag[]) => Frag): Frag {
  if (parts.every((p) => p.simple)) return body(parts.map((p) => p.sql));
  if (++env.state.binds > COMPILE_LIMITS.maxBinds) {
    throw new AppError('QUERY_TOO_COSTLY', `The expression nests more than ${COMPILE_LIMITS.maxBinds} arithmetic operations or functions over non-constant values`);
  }
  const a = freshAlias(env, 'l');
  const cols: Frag[] = [];
  const refs = parts.map((p, i) => {
    if (p.simple) return p.sql;
    cols.push(sql`${p.sql} AS ${sql.id(`x${i}`)}`);
    return colRef(a, `x${i}`);
  });
  // OFFSET 0 keeps PostgreSQL from pulling the sub-select up, which would inline each bound value
  // at every reference again (exponential in the nesting).
  const fence = env.d === 'postgres' ? sql` OFFSET 0` : sql``;
  return sql`(SELECT ${body(refs)} FROM (SELECT ${sql.join(cols)}${fence}) AS ${sql.id(a)})`;
}

import { type RawBuilder, sql } from 'kysely';
import { AppError } from '../../core/errors.ts';
import type { EntityDef } from '../model/entities.ts';
import type { Expr, OrderByItem } from './ast.ts';
import type { CompileState, Env, Frag, SqlDialect, Val } from './compile-env.ts';
import { compileValue } from './compile-expr.ts';
import { parseFilter, parseOrderBy } from './filter-parser.ts';
import { compileBool } from './scopes.ts';
import { collateC } from './sql-dialect.ts';

/**
 * The OData-to-SQL planner: $filter and $orderby ASTs to parameterised SQL fragments (Kysely
 * RawBuilder) over the main table alias of the enclosing query, e.g.
 * `SELECT … FROM observations AS e WHERE ${compileFilter(ast, { dialect, entity, alias: 'e' })}`.
 * Literals only ever enter as bound parameters; identifiers come from the entity model.
 * Semantics are documented in docs/api/filter.md.
 */

export interface CompileContext {
  readonly dialect: SqlDialect;
  readonly entity: EntityDef;
  /** SQL alias of `entity`'s table in the enclosing query. */
  readonly alias: string;
  /** Value of now() in epoch ms (defaults to Date.now()). */
  readonly now?: number;
}

function envOf(ctx: CompileContext, code: Env['code']): Env {
  const state: CompileState = { seq: 0, subqueries: 0, binds: 0, now: ctx.now ?? Date.now() };
  return { d: ctx.dialect, entity: ctx.entity, alias: ctx.alias, bindings: new Map(), state, code };
}

/** Anything but an AppError here is a bug; it still surfaces as a 400-class error, marked "internal". */
function guard<T>(code: Env['code'], f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof AppError) throw e;
    if (e instanceof RangeError) throw new AppError('QUERY_TOO_COSTLY', 'The expression is too complex to compile');
    throw new AppError(code, `The expression could not be compiled (internal: ${(e as Error)?.message ?? String(e)})`);
  }
}

/** A $filter AST as an SQL condition (boolean on PostgreSQL, 0/1/NULL on SQLite; only true matches). */
export function compileFilter(ast: Expr, ctx: CompileContext): RawBuilder<unknown> {
  return guard('INVALID_FILTER', () => {
    const env = envOf(ctx, 'INVALID_FILTER');
    // No `= 1` on SQLite: the condition must stay a tree of ANDs for the planner to use indexes.
    return sql`(${compileBool(ast, env)})`;
  });
}

/**
 * $orderby items as ORDER BY terms (`<expr> ASC NULLS FIRST`, …), several per item when a value
 * sorts by several keys (an interval by start then end; a JSON value by type then value). Nulls
 * sort first ascending and last descending on both databases; strings sort by code point.
 * The caller appends a unique key (the id) to make paging stable.
 */
export function compileOrderBy(items: readonly OrderByItem[], ctx: CompileContext): RawBuilder<unknown>[] {
  return guard('INVALID_ORDERBY', () => {
    const env = envOf(ctx, 'INVALID_ORDERBY');
    const out: Frag[] = [];
    for (const it of items) {
      // A literal orders nothing, and a bare integer in ORDER BY would mean a column position.
      if (it.expr.kind === 'literal') continue;
      const dir = sql.raw(it.direction === 'desc' ? 'DESC NULLS LAST' : 'ASC NULLS FIRST');
      const v = compileValue(it.expr, env);
      for (const k of sortKeys(v, env, it.expr.pos)) out.push(sql`${orderSafe(k, v, env)} ${dir}`);
    }
    return out;
  });
}

/**
 * SQLite folds constant expressions such as `0 AND x` into an integer literal, which ORDER BY
 * would read as a column position: computed keys are wrapped in COALESCE(k, NULL) (a no-op).
 * Plain columns stay bare so that indexes still serve the ordering.
 */
function orderSafe(k: Frag, v: Val, env: Env): Frag {
  return env.d === 'sqlite' && !('simple' in v && v.simple) ? sql`COALESCE(${k}, NULL)` : k;
}

function sortKeys(v: Val, env: Env, pos: number): Frag[] {
  switch (v.t) {
    case 'null':
      return [];
    case 'geometry':
      throw new AppError('INVALID_ORDERBY', `Geometries cannot be ordered; order by geo.distance(…) instead (at character ${pos})`);
    case 'interval':
      return v.end ? [v.start, sql`COALESCE(${v.end}, ${v.start})`] : [v.start];
    case 'dynamic': {
      // JSON values: null/other < booleans < numbers < strings, then by value.
      const rank = sql`(CASE WHEN ${v.num} IS NOT NULL THEN 2 WHEN ${v.str} IS NOT NULL THEN 3 WHEN ${v.bool} IS NOT NULL THEN 1 ELSE 0 END)`;
      return [rank, v.num, collateC(env.d, v.str), v.bool];
    }
    case 'string':
      return [collateC(env.d, v.sql)];
    default:
      if ('sql' in v) return [v.sql];
      throw new AppError('INVALID_ORDERBY', `Values of type ${(v as Val).t} cannot be ordered (at character ${pos})`);
  }
}

/** Parses and compiles a $filter text. */
export function filterToSql(text: string, ctx: CompileContext): RawBuilder<unknown> {
  return compileFilter(parseFilter(text), ctx);
}

/** Parses and compiles an $orderby text. */
export function orderByToSql(text: string, ctx: CompileContext): RawBuilder<unknown>[] {
  return compileOrderBy(parseOrderBy(text), ctx);
}

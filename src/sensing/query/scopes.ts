import { sql } from 'kysely';
import type { Expr } from './ast.ts';
import { isComparison } from './ast.ts';
import { compileComparison } from './compile-compare.ts';
import { type Env, type Frag, countSubquery, describeType, wrongType } from './compile-env.ts';
import { compileValue } from './compile-expr.ts';
import { compilePredicateCall } from './compile-functions.ts';
import { functionSpec } from './functions.ts';
import { hopJoin, lastManyIndex, prefixKey, resolvePath } from './paths.ts';
import { boolConst } from './sql-dialect.ts';

/**
 * Boolean structure and to-many quantification.
 *
 * A *predicate* is a comparison, a boolean function call (startswith, st_within, ...), or any other
 * value used where a boolean is expected. Paths that pass a to-many navigation (`Datastreams/name`
 * on Things) are quantified per predicate with "any" semantics: the predicate becomes
 * `EXISTS (SELECT 1 FROM <the related rows> WHERE <join> AND <predicate>)`. Within one predicate,
 * paths sharing a navigation prefix share its row (`Datastreams/name eq Datastreams/description`
 * compares the name and description of the same Datastream); separate predicates quantify
 * separately (`Datastreams/name eq 'a' and Datastreams/name eq 'b'` holds when one Datastream is
 * named a and another b). `not` negates the quantified predicate ("none of them").
 */

/** A logical expression as an SQL condition (PostgreSQL boolean; SQLite 0/1/NULL). */
export function compileBool(e: Expr, env: Env): Frag {
  if (e.kind === 'binary' && (e.op === 'and' || e.op === 'or')) {
    return sql`(${compileBool(e.left, env)} ${sql.raw(e.op === 'and' ? 'AND' : 'OR')} ${compileBool(e.right, env)})`;
  }
  if (e.kind === 'not') return sql`(NOT ${compileBool(e.operand, env)})`;
  if (e.kind === 'literal' && e.value.type === 'boolean') return boolConst(env.d, e.value.value);
  return compilePredicate(e, env);
}

/** Nodes that start their own quantification scope when nested in another predicate. */
function isScopeNode(e: Expr): boolean {
  if (e.kind === 'not') return true;
  if (e.kind === 'binary') return e.op === 'and' || e.op === 'or' || isComparison(e.op);
  if (e.kind === 'call') return functionSpec(e.name)?.predicate === true;
  return false;
}

/** The paths of a predicate that belong to its own scope (not to nested predicates). */
export function directPaths(root: Expr): (Expr & { kind: 'path' })[] {
  const out: (Expr & { kind: 'path' })[] = [];
  const visit = (e: Expr, isRoot: boolean): void => {
    if (!isRoot && isScopeNode(e)) return;
    switch (e.kind) {
      case 'path':
        out.push(e);
        return;
      case 'negate':
      case 'not':
        visit(e.operand, false);
        return;
      case 'binary':
        visit(e.left, false);
        visit(e.right, false);
        return;
      case 'call':
        for (const a of e.args) visit(a, false);
        return;
      case 'literal':
        return;
    }
  };
  visit(root, true);
  return out;
}

/** One predicate, wrapped in EXISTS over its to-many paths when it has any. */
export function compilePredicate(e: Expr, env: Env): Frag {
  const bindings = new Map<string, string>();
  const from: Frag[] = [];
  const where: Frag[] = [];
  for (const p of directPaths(e)) {
    const r = resolvePath(env.entity, p.segments, env.code);
    const last = lastManyIndex(r.hops);
    let prev = env.alias;
    for (let i = 0; i <= last; i++) {
      const key = prefixKey(r.hops, i);
      const have = bindings.get(key);
      if (have) {
        prev = have;
        continue;
      }
      const j = hopJoin(env, prev, r.hops[i]!);
      from.push(...j.from);
      where.push(...j.where);
      bindings.set(key, j.alias);
      prev = j.alias;
    }
  }
  const inner: Env = { ...env, bindings };
  const body = predicateBody(e, inner);
  if (from.length === 0) return body;
  countSubquery(env);
  return sql`EXISTS (SELECT 1 FROM ${sql.join(from)} WHERE ${sql.join(where, sql` AND `)} AND ${body})`;
}

function predicateBody(e: Expr, env: Env): Frag {
  if (e.kind === 'binary' && isComparison(e.op)) return compileComparison(e, env);
  if (e.kind === 'call' && functionSpec(e.name)?.predicate) return compilePredicateCall(e, env);
  const v = compileValue(e, env);
  if (v.t === 'boolean') return v.sql;
  if (v.t === 'dynamic') return v.bool;
  throw wrongType(`Expected a boolean condition but found ${describeType(v)}`, e.pos);
}

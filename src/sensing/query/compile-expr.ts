import { sql } from 'kysely';
import { AppError } from '../../core/errors.ts';
import type { PropDef } from '../model/entities.ts';
import { type Expr, type Literal, isArithmetic, isComparison, pathText } from './ast.ts';
import { compileArithmetic, negate } from './compile-arith.ts';
import type { Env, Frag, Val } from './compile-env.ts';
import { compileCall } from './compile-functions.ts';
import { pgGeometry } from './compile-geo.ts';
import { functionSpec } from './functions.ts';
import { columnAccessor, lastManyIndex, prefixKey, resolvePath } from './paths.ts';
import { compileBool, compilePredicate } from './scopes.ts';
import { boolConst, intParam, jsonAccess, numParam, resultAccess, strParam } from './sql-dialect.ts';

/** Compiles any expression to a typed SQL value. */
export function compileValue(e: Expr, env: Env): Val {
  switch (e.kind) {
    case 'literal':
      return literalVal(e.value, env);
    case 'path':
      return pathVal(e, env);
    case 'negate':
      return negate(compileValue(e.operand, env), env, e.pos);
    case 'not':
      return { t: 'boolean', sql: compileBool(e, env) };
    case 'binary':
      if (e.op === 'and' || e.op === 'or') return { t: 'boolean', sql: compileBool(e, env) };
      if (isComparison(e.op)) return { t: 'boolean', sql: compilePredicate(e, env) };
      if (isArithmetic(e.op)) return compileArithmetic(e.op, compileValue(e.left, env), compileValue(e.right, env), env, e.pos);
      throw new AppError(env.code, `Unsupported operator ${e.op}`);
    case 'call':
      if (functionSpec(e.name)?.predicate) return { t: 'boolean', sql: compilePredicate(e, env) };
      return compileCall(e, env);
  }
}

export function literalVal(v: Literal, env: Env): Val {
  const d = env.d;
  switch (v.type) {
    case 'null':
      return { t: 'null' };
    case 'boolean':
      return { t: 'boolean', sql: boolConst(d, v.value), simple: true };
    case 'number':
      return { t: 'number', sql: numParam(d, v.value, v.integer), int: v.integer, simple: true, lit: v.value };
    case 'string':
      return { t: 'string', sql: strParam(d, v.value), simple: true, lit: v.value };
    case 'datetime':
    case 'date':
    case 'timeofday':
    case 'duration':
      return { t: v.type, sql: intParam(d, v.ms), simple: true, lit: v.ms };
    case 'interval':
      return { t: 'interval', start: intParam(d, v.start), end: intParam(d, v.end), simple: true };
    case 'geometry':
      return geometryLiteral(v.wkt, env);
  }
}

export function geometryLiteral(wkt: string, env: Env): Val {
  if (env.d === 'sqlite') return { t: 'geometry', sql: sql`${wkt}`, isNull: sql`(1 = 0)` };
  return { t: 'geometry', sql: sql`ST_GeomFromText(CAST(${wkt} AS text), 4326)`, isNull: sql`(1 = 0)` };
}

/**
 * A property path: to-one hops become scalar subqueries; a to-many hop must have been bound by
 * the enclosing predicate's EXISTS (see scopes.ts), whose alias the rest of the path starts from.
 */
function pathVal(e: Expr & { kind: 'path' }, env: Env): Val {
  const r = resolvePath(env.entity, e.segments, env.code);
  const last = lastManyIndex(r.hops);
  let start = env.alias;
  let rest = r.hops;
  if (last >= 0) {
    const bound = env.bindings.get(prefixKey(r.hops, last));
    if (!bound) {
      throw new AppError(
        env.code,
        `"${pathText(e.segments)}" passes the to-many navigation ${r.hops[last]!.from.name}/${r.hops[last]!.nav.name}: it can only be used inside a comparison or boolean function (meaning "any of them")`,
      );
    }
    start = bound;
    rest = r.hops.slice(last + 1);
  }
  return propVal(r.prop, r.json, columnAccessor(env, start, rest), rest.length === 0, env);
}

function propVal(p: PropDef, json: readonly (string | number)[], col: (c: string) => Frag, direct: boolean, env: Env): Val {
  const d = env.d;
  switch (p.type) {
    case 'id':
      return { t: 'number', sql: col(p.column!), int: true, simple: direct };
    case 'string':
      return { t: 'string', sql: col(p.column!), simple: direct };
    case 'time':
      return { t: 'datetime', sql: col(p.column!), simple: direct };
    case 'interval':
      return { t: 'interval', start: col(p.columns![0]!), end: col(p.columns![1]!), simple: direct };
    case 'json':
      return jsonAccess(d, col(p.column!), json, direct);
    case 'geometry': {
      if (json.length) return jsonAccess(d, col(p.column!), json, direct);
      const c = col(p.column!);
      return { t: 'geometry', sql: d === 'sqlite' ? c : pgGeometry(c), isNull: sql`(${c} IS NULL)` };
    }
    case 'result': {
      const [num, str, js] = p.columns!;
      if (json.length) return jsonAccess(d, col(js!), json, direct);
      return resultAccess(d, col(num!), col(str!), col(js!), direct);
    }
  }
}


import type { EntityDef, PropDef } from '../model/entities.ts';
import { jstsFromGeoJson } from '../geo/geometry-ops.ts';
import { parseWkt } from '../geo/wkt.ts';
import { type Expr, type OrderByItem, isArithmetic, isComparison } from './ast.ts';
import { numArith } from './compile-arith.ts';
import { functionSpec } from './functions.ts';
import { parseDateTimeText } from './literals.ts';
import { type Hop, lastManyIndex, prefixKey, resolvePath } from './paths.ts';
import { callRV } from './reference-functions.ts';
import { type B3, type RV, and3, cmpStr, compareRV, dynBool, dynNum, dynStr, not3, or3 } from './reference-values.ts';

/**
 * Reference evaluator (test support): evaluates a $filter / $orderby AST over in-memory entities
 * shaped like the API renders them (`@iot.id`, ISO time strings, `start/end` intervals, GeoJSON,
 * JSON values), with navigation properties as nested objects (to-one: object or null; to-many:
 * array). It states the semantics of docs/api/filter.md in plain JavaScript; the differential
 * fuzz test checks the SQL planner against it.
 */
export type RefEntity = Record<string, unknown>;

export interface RefContext {
  readonly entity: EntityDef;
  readonly now: number;
}

interface Scope {
  readonly ctx: RefContext;
  readonly base: RefEntity;
  readonly bound: ReadonlyMap<string, RefEntity>;
}

/** True when the filter holds for `obj` (unknown and false do not match). */
export function evalFilter(ast: Expr, obj: RefEntity, ctx: RefContext): boolean {
  return evalBool(ast, { ctx, base: obj, bound: new Map() }) === true;
}

function evalBool(e: Expr, s: Scope): B3 {
  if (e.kind === 'binary' && e.op === 'and') return and3(evalBool(e.left, s), evalBool(e.right, s));
  if (e.kind === 'binary' && e.op === 'or') return or3(evalBool(e.left, s), evalBool(e.right, s));
  if (e.kind === 'not') return not3(evalBool(e.operand, s));
  if (e.kind === 'literal' && e.value.type === 'boolean') return e.value.value;
  return evalPredicate(e, s);
}

function isScope(e: Expr): boolean {
  if (e.kind === 'not') return true;
  if (e.kind === 'binary') return !isArithmetic(e.op);
  return e.kind === 'call' && functionSpec(e.name)?.predicate === true;
}

function collectPaths(e: Expr, root: boolean, out: (Expr & { kind: 'path' })[]): void {
  if (!root && isScope(e)) return;
  if (e.kind === 'path') out.push(e);
  else if (e.kind === 'negate' || e.kind === 'not') collectPaths(e.operand, false, out);
  else if (e.kind === 'binary') {
    collectPaths(e.left, false, out);
    collectPaths(e.right, false, out);
  } else if (e.kind === 'call') for (const a of e.args) collectPaths(a, false, out);
}

function navigate(obj: RefEntity | null, hop: Hop): RefEntity[] {
  if (!obj) return [];
  const v = obj[hop.nav.name];
  if (Array.isArray(v)) return v as RefEntity[];
  return v && typeof v === 'object' ? [v as RefEntity] : [];
}

/** A predicate with "any" semantics over the to-many paths of its own scope. */
function evalPredicate(e: Expr, s: Scope): B3 {
  const paths: (Expr & { kind: 'path' })[] = [];
  collectPaths(e, true, paths);
  const nodes: { key: string; parent: string | null; hop: Hop }[] = [];
  for (const p of paths) {
    const r = resolvePath(s.ctx.entity, p.segments, 'INVALID_FILTER');
    for (let i = 0; i <= lastManyIndex(r.hops); i++) {
      const key = prefixKey(r.hops, i);
      if (!nodes.some((n) => n.key === key)) nodes.push({ key, parent: i === 0 ? null : prefixKey(r.hops, i - 1), hop: r.hops[i]! });
    }
  }
  if (nodes.length === 0) return predicateBody(e, { ...s, bound: new Map() });
  const bound = new Map<string, RefEntity>();
  const search = (i: number): boolean => {
    if (i === nodes.length) return predicateBody(e, { ...s, bound }) === true;
    const n = nodes[i]!;
    const from = n.parent === null ? s.base : bound.get(n.parent)!;
    for (const c of navigate(from, n.hop)) {
      bound.set(n.key, c);
      if (search(i + 1)) return true;
    }
    bound.delete(n.key);
    return false;
  };
  return search(0);
}

function predicateBody(e: Expr, s: Scope): B3 {
  if (e.kind === 'binary' && isComparison(e.op)) {
    let l = evalValue(e.left, s);
    let r = evalValue(e.right, s);
    l = timeString(l, e.left, r);
    r = timeString(r, e.right, l);
    return compareRV(e.op, l, r);
  }
  if (e.kind === 'call' && functionSpec(e.name)?.predicate) return (callRV(e, callArgs(e, s), s.ctx.now) as { v: B3 }).v;
  const v = evalValue(e, s);
  if (v.t === 'boolean') return v.v;
  if (v.t === 'dynamic') return dynBool(v.v);
  throw new Error(`reference: not a boolean: ${v.t}`);
}

function timeString(v: RV, node: Expr, other: RV): RV {
  if (v.t !== 'string' || node.kind !== 'literal' || !['datetime', 'date', 'interval'].includes(other.t)) return v;
  return { t: 'datetime', v: parseDateTimeText(v.v!) };
}

function evalValue(e: Expr, s: Scope): RV {
  switch (e.kind) {
    case 'literal': {
      const v = e.value;
      switch (v.type) {
        case 'null':
          return { t: 'null' };
        case 'boolean':
          return { t: 'boolean', v: v.value };
        case 'number':
        case 'string':
          return { t: v.type, v: v.value } as RV;
        case 'interval':
          return { t: 'interval', s: v.start, e: v.end };
        case 'geometry':
          return { t: 'geometry', g: jstsFromGeoJson(v.geometry, false), absent: false };
        default:
          return { t: v.type, v: v.ms };
      }
    }
    case 'path':
      return pathValue(e, s);
    case 'not':
    case 'binary':
      if (e.kind === 'not' || e.op === 'and' || e.op === 'or') return { t: 'boolean', v: evalBool(e, s) };
      if (isComparison(e.op)) return { t: 'boolean', v: evalPredicate(e, s) };
      return arith(e.op as 'add', evalValue(e.left, s), evalValue(e.right, s));
    case 'negate': {
      const v = evalValue(e.operand, s);
      if (v.t === 'duration') return { t: 'duration', v: v.v === null ? null : -v.v };
      const n = v.t === 'dynamic' ? dynNum(v.v) : (v as { v: number | null }).v;
      return { t: 'number', v: n === null ? null : -n || 0 };
    }
    case 'call':
      if (functionSpec(e.name)?.predicate) return { t: 'boolean', v: evalPredicate(e, s) };
      return callRV(e, callArgs(e, s), s.ctx.now);
  }
}

function callArgs(e: Expr & { kind: 'call' }, s: Scope): RV[] {
  const geo = e.name.startsWith('geo.') || e.name.startsWith('st_');
  return e.args.map((a, i) => (geo && i < 2 ? geoArg(a, s) : evalValue(a, s)));
}

function geoArg(a: Expr, s: Scope): RV {
  if (a.kind === 'literal' && a.value.type === 'string') return { t: 'geometry', g: jstsFromGeoJson(parseWkt(a.value.value), false), absent: false };
  return evalValue(a, s);
}

function arith(op: 'add' | 'sub' | 'mul' | 'div' | 'mod', l: RV, r: RV): RV {
  const num = (v: RV) => (v.t === 'number' ? v.v : v.t === 'dynamic' ? dynNum(v.v) : undefined);
  const a = num(l);
  const b = num(r);
  if (a !== undefined && b !== undefined) return { t: 'number', v: numArith(op, a, b) };
  const add = (x: number | null, y: number | null, sign: number) => (x === null || y === null ? null : x + sign * y);
  const sign = op === 'add' ? 1 : -1;
  const lv = (l as { v: number | null }).v;
  const rv = (r as { v: number | null }).v;
  if (l.t === 'interval' && r.t === 'duration') return { t: 'interval', s: add(l.s, rv, sign), e: add(l.e, rv, sign), instant: l.instant };
  if (l.t === 'duration' && r.t === 'duration') return { t: 'duration', v: add(lv, rv, sign) };
  if (r.t === 'duration') return { t: 'datetime', v: add(lv, rv, sign) };
  if (l.t === 'duration') return { t: 'datetime', v: add(lv, rv, 1) };
  return { t: 'duration', v: add(lv, rv, -1) };
}

function pathValue(e: Expr & { kind: 'path' }, s: Scope): RV {
  const r = resolvePath(s.ctx.entity, e.segments, 'INVALID_FILTER');
  const last = lastManyIndex(r.hops);
  let obj: RefEntity | null = last >= 0 ? s.bound.get(prefixKey(r.hops, last))! : s.base;
  for (const h of r.hops.slice(last + 1)) obj = navigate(obj, h)[0] ?? null;
  return propValue(r.prop, r.json, obj);
}

function jsonAt(v: unknown, path: readonly (string | number)[]): unknown {
  for (const p of path) {
    if (typeof p === 'number') v = Array.isArray(v) ? v[p] : undefined;
    else v = v && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, p) ? (v as Record<string, unknown>)[p] : undefined;
  }
  return v;
}

const time = (v: unknown): number | null => (typeof v === 'string' ? parseDateTimeText(v) : null);

function propValue(p: PropDef, json: readonly (string | number)[], obj: RefEntity | null): RV {
  const raw = obj ? obj[p.name] : undefined;
  switch (p.type) {
    case 'id':
      return { t: 'number', v: typeof raw === 'number' ? raw : null };
    case 'string':
      return { t: 'string', v: typeof raw === 'string' ? raw : null };
    case 'time':
      return { t: 'datetime', v: time(raw) };
    case 'interval': {
      if (typeof raw !== 'string') return { t: 'interval', s: null, e: null };
      const [a, b] = raw.split('/');
      return { t: 'interval', s: time(a), e: b === undefined ? null : time(b) };
    }
    case 'geometry':
      if (json.length) return { t: 'dynamic', v: jsonAt(raw, json) };
      return { t: 'geometry', g: raw == null ? null : jstsFromGeoJson(raw), absent: raw == null };
    default:
      return { t: 'dynamic', v: jsonAt(raw, json) };
  }
}

/** Sort keys of one entity for an $orderby (the keys compileOrderBy emits, in order). */
export function orderKeys(items: readonly OrderByItem[], obj: RefEntity, ctx: RefContext): (number | string | boolean | null)[][] {
  const s: Scope = { ctx, base: obj, bound: new Map() };
  return items.map((it) => {
    if (it.expr.kind === 'literal') return [];
    const v = evalValue(it.expr, s);
    switch (v.t) {
      case 'null':
        return [];
      case 'interval':
        return v.instant ? [v.s] : [v.s, v.e ?? v.s];
      case 'dynamic': {
        const n = dynNum(v.v);
        const st = dynStr(v.v);
        const b = dynBool(v.v);
        return [n !== null ? 2 : st !== null ? 3 : b !== null ? 1 : 0, n, st, b];
      }
      case 'geometry':
        throw new Error('reference: geometry sort');
      default:
        return [v.v];
    }
  });
}

/** Compares two entities' sort keys: nulls first ascending / last descending, then by @iot.id. */
export function compareOrder(items: readonly OrderByItem[], a: { keys: (number | string | boolean | null)[][]; id: number }, b: typeof a): number {
  for (let i = 0; i < items.length; i++) {
    const dir = items[i]!.direction === 'desc' ? -1 : 1;
    const ka = a.keys[i]!;
    const kb = b.keys[i]!;
    for (let j = 0; j < ka.length; j++) {
      const x = ka[j]!;
      const y = kb[j]!;
      if (x === null && y === null) continue;
      if (x === null) return -dir;
      if (y === null) return dir;
      const c = typeof x === 'string' ? cmpStr(x, y as string) : Number(x) - Number(y);
      if (c !== 0) return c < 0 ? -dir : dir;
    }
  }
  return a.id - b.id;
}


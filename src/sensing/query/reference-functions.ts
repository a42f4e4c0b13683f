import { linearLength, spatialDistance, spatialPredicate, spatialRelate, type SpatialPredicate } from '../geo/geometry-ops.ts';
import type { Expr } from './ast.ts';
import { DAY_MS, MAX_CALENDAR_MS, MIN_CALENDAR_MS } from './literals.ts';
import { type B3, type RV, dynNum, dynStr } from './reference-values.ts';
import { simpleLower, simpleUpper } from './text-case.ts';

/** Function semantics of the reference evaluator (test support); see compile-functions.ts. */

const str = (v: RV): string | null => (v.t === 'string' ? v.v : v.t === 'dynamic' ? dynStr(v.v) : null);
const num = (v: RV): number | null => (v.t === 'number' ? v.v : v.t === 'dynamic' ? dynNum(v.v) : null);
const inst = (v: RV): number | null => (v.t === 'interval' ? v.s : (v as { v: number | null }).v);
const posmod = (t: number, m: number) => ((t % m) + m) % m;
const cps = (s: string) => [...s];
const clamp = (n: number) => Math.min(Math.max(Math.floor(n), 0), 1e9);

function n(v: number | null): RV {
  return { t: 'number', v };
}
function s(v: string | null): RV {
  return { t: 'string', v };
}
function b(v: B3): RV {
  return { t: 'boolean', v };
}

function stringPredicate(name: string, a: string | null, p: string | null): B3 {
  if (a === null || p === null) return null;
  if (name === 'startswith') return a.startsWith(p);
  if (name === 'endswith') return a.endsWith(p);
  return a.includes(p);
}

function calendar(t: number | null, part: 'year' | 'month' | 'day'): number | null {
  if (t === null || t < MIN_CALENDAR_MS || t > MAX_CALENDAR_MS) return null;
  const d = new Date(t);
  return part === 'year' ? d.getUTCFullYear() : part === 'month' ? d.getUTCMonth() + 1 : d.getUTCDate();
}

export function callRV(e: Expr & { kind: 'call' }, a: RV[], now: number): RV {
  const f = e.name;
  switch (f) {
    case 'substringof':
      return b(stringPredicate('contains', str(a[1]!), str(a[0]!)));
    case 'contains':
    case 'startswith':
    case 'endswith':
      return b(stringPredicate(f, str(a[0]!), str(a[1]!)));
    case 'length': {
      const x = str(a[0]!);
      return n(x === null ? null : cps(x).length);
    }
    case 'indexof': {
      const x = str(a[0]!);
      const p = str(a[1]!);
      if (x === null || p === null) return n(null);
      const i = x.indexOf(p);
      return n(i < 0 ? -1 : cps(x.slice(0, i)).length);
    }
    case 'substring': {
      const x = str(a[0]!);
      const i = num(a[1]!);
      const len = a.length > 2 ? num(a[2]!) : 1e9;
      if (x === null || i === null || len === null) return s(null);
      const st = clamp(i);
      return s(cps(x).slice(st, st + clamp(len)).join(''));
    }
    case 'tolower':
    case 'toupper': {
      const x = str(a[0]!);
      return s(x === null ? null : f === 'tolower' ? simpleLower(x) : simpleUpper(x));
    }
    case 'trim': {
      const x = str(a[0]!);
      return s(x === null ? null : x.replace(/^ +| +$/g, ''));
    }
    case 'concat': {
      const parts = a.map(str);
      return s(parts.some((p) => p === null) ? null : parts.join(''));
    }
    case 'year':
    case 'month':
    case 'day':
      return n(calendar(inst(a[0]!), f));
    case 'hour':
    case 'minute':
    case 'second':
    case 'fractionalseconds': {
      const t = inst(a[0]!);
      if (t === null) return n(null);
      if (f === 'fractionalseconds') return n(posmod(t, 1000) / 1000);
      const [m, unit] = f === 'hour' ? [DAY_MS, 3_600_000] : f === 'minute' ? [3_600_000, 60_000] : [60_000, 1000];
      return n(Math.floor(posmod(t, m) / unit));
    }
    case 'date': {
      const t = inst(a[0]!);
      return { t: 'date', v: t === null ? null : t - posmod(t, DAY_MS) };
    }
    case 'time': {
      const t = inst(a[0]!);
      return { t: 'timeofday', v: t === null ? null : posmod(t, DAY_MS) };
    }
    case 'totaloffsetminutes':
      return n(inst(a[0]!) === null ? null : 0);
    case 'now':
      return { t: 'datetime', v: now };
    case 'mindatetime':
      return { t: 'datetime', v: MIN_CALENDAR_MS };
    case 'maxdatetime':
      return { t: 'datetime', v: MAX_CALENDAR_MS };
    case 'round':
    case 'floor':
    case 'ceiling': {
      const x = num(a[0]!);
      if (x === null) return n(null);
      if (f === 'floor') return n(Math.floor(x));
      if (f === 'ceiling') return n(Math.ceil(x));
      return n(Math.abs(x) >= 4503599627370496 ? x : x >= 0 ? Math.floor(x + 0.5) : Math.ceil(x - 0.5));
    }
  }
  const g = a.map((v) => (v.t === 'geometry' ? v.g : null));
  switch (f) {
    case 'geo.distance':
      return n(spatialDistance(g[0]!, g[1]!));
    case 'geo.length':
      return n(g[0] ? linearLength(g[0]) : null);
    case 'geo.intersects':
      return b(spatialPredicate('intersects', g[0]!, g[1]!));
    case 'st_relate':
      return b(spatialRelate(g[0]!, g[1]!, (e.args[2] as { value: { value: string } }).value.value.toUpperCase()));
    default:
      return b(spatialPredicate(f.slice(3) as SpatialPredicate, g[0]!, g[1]!));
  }
}

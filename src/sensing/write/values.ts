import { AppError } from '../../core/errors.ts';

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** ISO 8601 instant with a zone (§8.2: TM_Instant) → epoch ms. Sub-millisecond digits are cut. */
export function parseInstant(v: unknown, what: string): number {
  if (typeof v === 'string') {
    const fast = fastInstant(v);
    if (!Number.isNaN(fast)) return fast;
  }
  return parseInstantStrict(v, what);
}

/** The reference path: regex, then Date.parse. Every error comes from here. */
export function parseInstantStrict(v: unknown, what: string): number {
  if (typeof v !== 'string' || !ISO_RE.test(v)) {
    throw new AppError('INVALID_TIME', `${what} must be an ISO 8601 time with a zone, e.g. 2025-02-05T08:00:00+07:00; got ${JSON.stringify(v)}`);
  }
  const ms = Date.parse(v.replace(/(\.\d{3})\d+/, '$1'));
  if (!Number.isFinite(ms)) throw new AppError('INVALID_TIME', `${what} is not a valid time: ${v}`);
  return ms;
}

/** Two ASCII digits at i as a number, or -1. */
function d2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

const MONTH_DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The common shapes of an instant without regex or Date.parse: `YYYY-MM-DDTHH:MM[:SS[.f…]]` then
 * `Z` or `±HH:MM`, with every field in its calendar range. Anything else (a `±HHMM` zone, hour 24,
 * 30 February, …) gives NaN and goes the strict way, so results and errors are those of
 * parseInstantStrict (values.test.ts checks that the two agree).
 */
export function fastInstant(s: string): number {
  const n = s.length;
  if (n < 17 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58) return Number.NaN;
  const yh = d2(s, 0);
  const yl = d2(s, 2);
  const mo = d2(s, 5);
  const d = d2(s, 8);
  const h = d2(s, 11);
  const mi = d2(s, 14);
  if (yh < 0 || yl < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59) return Number.NaN;
  const y = yh * 100 + yl;
  const leap = (y & 3) === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (mo === 2 && leap ? 29 : MONTH_DAYS[mo]!)) return Number.NaN;
  let i = 16;
  let sec = 0;
  let frac = 0;
  if (s.charCodeAt(i) === 58) {
    sec = d2(s, 17);
    if (sec < 0 || sec > 59) return Number.NaN;
    i = 19;
    if (s.charCodeAt(i) === 46) {
      i++;
      const from = i;
      let scale = 100;
      for (;;) {
        const c = s.charCodeAt(i) - 48;
        if (!(c >= 0 && c <= 9)) break;
        if (scale >= 1) frac += c * scale;
        scale /= 10;
        i++;
      }
      if (i === from || i - from > 9) return Number.NaN;
    }
  }
  let off = 0;
  const z = s.charCodeAt(i);
  if (z === 90) {
    if (i + 1 !== n) return Number.NaN;
  } else if (z === 43 || z === 45) {
    if (i + 6 !== n || s.charCodeAt(i + 3) !== 58) return Number.NaN;
    const oh = d2(s, i + 1);
    const om = d2(s, i + 4);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return Number.NaN;
    off = (oh * 60 + om) * 60_000;
    if (z === 45) off = -off;
  } else return Number.NaN;
  // Days from 1970-01-01 of the proleptic Gregorian date (H. Hinnant's days_from_civil).
  const yy = mo <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return days * 86_400_000 + h * 3_600_000 + mi * 60_000 + sec * 1000 + frac - off;
}

/** Instant or `start/end` interval (TM_Object) → [start, end|null]. */
export function parseTimeObject(v: unknown, what: string): [number, number | null] {
  if (typeof v === 'string' && v.includes('/')) {
    const [a, b, ...rest] = v.split('/');
    if (rest.length) throw new AppError('INVALID_TIME', `${what} must be an instant or start/end interval`);
    const s = parseInstant(a, what);
    const e = parseInstant(b, what);
    if (e < s) throw new AppError('INVALID_TIME', `${what}: the interval ends before it starts`);
    return [s, e];
  }
  return [parseInstant(v, what), null];
}

const GEO_TYPES = new Set(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection', 'Feature', 'FeatureCollection']);

/** Checks a GeoJSON value (RFC 7946) well enough that stored geometry never breaks geo queries. */
export function checkGeoJson(v: unknown, what: string, depth = 0): void {
  const bad = (m: string) => new AppError('INVALID_GEOMETRY', `${what}: ${m}`);
  if (depth > 4) throw bad('nested too deeply');
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad('must be a GeoJSON object');
  const g = v as Record<string, unknown>;
  if (typeof g.type !== 'string' || !GEO_TYPES.has(g.type)) throw bad(`unknown GeoJSON type ${JSON.stringify(g.type)}`);
  if (g.type === 'Feature') {
    checkGeoJson(g.geometry, what, depth + 1);
    return;
  }
  if (g.type === 'FeatureCollection') {
    if (!Array.isArray(g.features)) throw bad('features must be an array');
    for (const f of g.features) checkGeoJson(f, what, depth + 1);
    return;
  }
  if (g.type === 'GeometryCollection') {
    if (!Array.isArray(g.geometries)) throw bad('geometries must be an array');
    for (const x of g.geometries) checkGeoJson(x, what, depth + 1);
    return;
  }
  const levels: Record<string, number> = { Point: 0, MultiPoint: 1, LineString: 1, MultiLineString: 2, Polygon: 2, MultiPolygon: 3 };
  const check = (c: unknown, level: number): void => {
    if (!Array.isArray(c)) throw bad('coordinates must be arrays');
    if (level === 0) {
      if (c.length < 2 || c.length > 3 || c.some((n) => typeof n !== 'number' || !Number.isFinite(n))) throw bad('a position is [lon, lat] or [lon, lat, alt] numbers');
      return;
    }
    if (c.length > 100000) throw bad('too many coordinates');
    for (const x of c) check(x, level - 1);
  };
  check(g.coordinates, levels[g.type]!);
}

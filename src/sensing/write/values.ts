import { AppError } from '../../core/errors.ts';

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** ISO 8601 instant with a zone (§8.2: TM_Instant) → epoch ms. Sub-millisecond digits are cut. */
export function parseInstant(v: unknown, what: string): number {
  if (typeof v !== 'string' || !ISO_RE.test(v)) {
    throw new AppError('INVALID_TIME', `${what} must be an ISO 8601 time with a zone, e.g. 2025-02-05T08:00:00+07:00; got ${JSON.stringify(v)}`);
  }
  const ms = Date.parse(v.replace(/(\.\d{3})\d+/, '$1'));
  if (!Number.isFinite(ms)) throw new AppError('INVALID_TIME', `${what} is not a valid time: ${v}`);
  return ms;
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
  if (g.type === 'Feature') return checkGeoJson(g.geometry, what, depth + 1);
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

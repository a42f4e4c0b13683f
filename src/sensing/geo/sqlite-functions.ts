import type BetterSqlite3 from 'better-sqlite3';
import { simpleLower, simpleUpper } from '../query/text-case.ts';
import { SPATIAL_PREDICATES, linearLength, readGeometryText, spatialDistance, spatialPredicate, spatialRelate } from './geometry-ops.ts';

/**
 * Registers the SQL functions the $filter planner emits on SQLite (PostgreSQL uses PostGIS and
 * built-ins instead). Pass it as `openDatabase(url, { onSqliteOpen: registerGeoFunctions })`.
 *
 * Geometry arguments are TEXT: stored GeoJSON (a geometry or a Feature) or a WKT literal. Each
 * function returns NULL — never raises — when an argument is NULL or not a usable geometry, so a
 * bad stored value makes a row not match instead of failing the query. All are deterministic.
 *
 * - cantho_geo_distance(a, b) → REAL: planar distance in coordinate units (degrees for WGS 84)
 * - cantho_geo_length(a) → REAL: length of the linear parts (ST_Length semantics)
 * - cantho_st_equals|disjoint|touches|within|overlaps|crosses|intersects|contains(a, b) → 0/1
 * - cantho_st_relate(a, b, pattern) → 0/1 for a DE-9IM pattern such as 'T*F**F***'
 * - cantho_lower(s), cantho_upper(s) → TEXT: Unicode simple case mapping (SQLite's built-in
 *   lower()/upper() only fold ASCII; these match PostgreSQL's under a UTF-8 locale)
 */
export function registerGeoFunctions(db: BetterSqlite3.Database): void {
  const det = { deterministic: true, varargs: false } as const;
  const bool = (v: boolean | null) => (v === null ? null : v ? 1 : 0);
  db.function('cantho_geo_distance', det, (a: unknown, b: unknown) => spatialDistance(readGeometryText(a), readGeometryText(b)));
  db.function('cantho_geo_length', det, (a: unknown) => {
    const g = readGeometryText(a);
    return g ? linearLength(g) : null;
  });
  for (const name of SPATIAL_PREDICATES) {
    db.function(`cantho_st_${name}`, det, (a: unknown, b: unknown) => bool(spatialPredicate(name, readGeometryText(a), readGeometryText(b))));
  }
  db.function('cantho_st_relate', det, (a: unknown, b: unknown, p: unknown) =>
    typeof p === 'string' && /^[TF*012]{9}$/.test(p) ? bool(spatialRelate(readGeometryText(a), readGeometryText(b), p)) : null,
  );
  db.function('cantho_lower', det, (s: unknown) => (typeof s === 'string' ? simpleLower(s) : s === null ? null : s));
  db.function('cantho_upper', det, (s: unknown) => (typeof s === 'string' ? simpleUpper(s) : s === null ? null : s));
}

import { sql } from 'kysely';
import { AppError } from '../../core/errors.ts';
import { parseGeometryLiteral } from '../geo/geometry-ops.ts';
import type { Expr } from './ast.ts';
import { type Env, type Frag, type Val, describeType, wrongType } from './compile-env.ts';
import { compileValue, geometryLiteral } from './compile-expr.ts';

/**
 * geo.distance, geo.length, geo.intersects and the st_* predicates (OGC 18-088 Table 19).
 *
 * Geometry is planar, as PostGIS `geometry` and FROST-Server: distances and lengths are in the
 * units of the coordinates — degrees for WGS 84 data — not metres. PostgreSQL evaluates with
 * PostGIS (GEOS); SQLite with the cantho_* functions (JSTS, see geo/sqlite-functions.ts). A stored
 * value that is not a usable geometry (not GeoJSON, a FeatureCollection or GeometryCollection, empty,
 * topologically invalid)
 * makes the function NULL on both.
 */

type Call = Expr & { kind: 'call' };

// Stored GeometryCollections are not used: GEOS cannot relate every collection.
const GEOJSON_TYPES = "('Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon')";

/**
 * PostGIS geometry (SRID 4326) of a stored GeoJSON column (a geometry or a Feature); NULL when
 * unusable. The value is read once per row: derived tables (fenced with OFFSET 0) bind the JSON and
 * the parsed geometry so that neither is recomputed for each reference.
 */
export function pgGeometry(c: Frag): Frag {
  const j = sql.ref('_gj.j');
  const g = sql.ref('_gg.g');
  const json = sql`CASE WHEN ${c} ->> 'type' = 'Feature' THEN ${c} -> 'geometry' ELSE ${c} END`;
  const parsed = sql`CASE WHEN jsonb_typeof(${j}) = 'object' AND ${j} ->> 'type' IN ${sql.raw(GEOJSON_TYPES)} THEN ST_SetSRID(ST_GeomFromGeoJSON(CAST(${j} AS text)), 4326) END`;
  return sql`(SELECT CASE WHEN ST_IsValid(${g}, 0) AND NOT ST_IsEmpty(${g}) THEN ${g} END FROM (SELECT ${parsed} AS g FROM (SELECT ${json} AS j OFFSET 0) AS _gj OFFSET 0) AS _gg)`;
}

/** A geometry argument: a geometry property, a geography'…' literal, or a WKT string literal. */
function geoArg(node: Expr, env: Env, f: string): Frag {
  if (node.kind === 'literal' && (node.value.type === 'string' || node.value.type === 'geometry')) {
    let parsed: { geometry: { type: string }; wkt: string };
    try {
      parsed = node.value.type === 'geometry' ? node.value : parseGeometryLiteral(node.value.value);
    } catch (e) {
      throw new AppError('INVALID_GEOMETRY', `${(e as Error).message} (argument of ${f}() at character ${node.pos})`);
    }
    if (f === 'st_relate' && parsed.geometry.type === 'GeometryCollection') {
      throw new AppError('INVALID_GEOMETRY', `st_relate() does not support GEOMETRYCOLLECTION arguments; use a MULTI* geometry (at character ${node.pos})`);
    }
    return (geometryLiteral(parsed.wkt, env) as { sql: Frag }).sql;
  }
  const v = compileValue(node, env);
  if (v.t !== 'geometry') throw wrongType(`${f}() expects a geometry (a location/feature property or geography'…'), not ${describeType(v)}`, node.pos);
  return v.sql;
}

export function compileGeoCall(e: Call, env: Env): Val & { sql: Frag } {
  const pg = env.d === 'postgres';
  const f = e.name;
  if (f === 'geo.length') {
    const a = geoArg(e.args[0]!, env, f);
    return { t: 'number', sql: pg ? sql`ST_Length(${a})` : sql`cantho_geo_length(${a})`, int: false };
  }
  const a = geoArg(e.args[0]!, env, f);
  const b = geoArg(e.args[1]!, env, f);
  if (f === 'geo.distance') return { t: 'number', sql: pg ? sql`ST_Distance(${a}, ${b})` : sql`cantho_geo_distance(${a}, ${b})`, int: false };
  if (f === 'st_relate') {
    const p = e.args[2]!;
    if (p.kind !== 'literal' || p.value.type !== 'string' || !/^[TF*012]{9}$/i.test(p.value.value)) {
      throw new AppError(env.code, `st_relate() needs a DE-9IM pattern of 9 characters from T F * 0 1 2 as its third argument, e.g. 'T*F**F***' (at character ${p.pos})`);
    }
    const pattern = p.value.value.toUpperCase();
    // GEOS 3.11 refuses ST_Relate(a, b, pattern) on GeometryCollections; the matrix form works.
    return { t: 'boolean', sql: pg ? sql`ST_RelateMatch(ST_Relate(${a}, ${b}), CAST(${pattern} AS text))` : sql`cantho_st_relate(${a}, ${b}, ${pattern})` };
  }
  const name = f === 'geo.intersects' ? 'intersects' : f.slice(3);
  return { t: 'boolean', sql: pg ? sql`${sql.raw(`ST_${name[0]!.toUpperCase()}${name.slice(1)}`)}(${a}, ${b})` : sql`${sql.raw(`cantho_st_${name}`)}(${a}, ${b})` };
}

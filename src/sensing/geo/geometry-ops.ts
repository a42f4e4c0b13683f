import GeometryFactory from 'jsts/org/locationtech/jts/geom/GeometryFactory.js';
import GeoJSONReader from 'jsts/org/locationtech/jts/io/GeoJSONReader.js';
import IsValidOp from 'jsts/org/locationtech/jts/operation/valid/IsValidOp.js';
import 'jsts/org/locationtech/jts/monkey.js';
import { AppError } from '../../core/errors.ts';
import { type GeoJsonGeometry, geometryOf } from './geojson.ts';
import { Lru } from './lru.ts';
import { parseWkt, toWkt } from './wkt.ts';

/**
 * Planar geometry operations with JSTS (a port of JTS, the library GEOS — and so PostGIS — derives
 * from), used by the SQLite SQL functions and the reference evaluator. Like PostGIS on the
 * `geometry` type, everything is Cartesian in the units of the coordinates: for WGS 84 data,
 * distances and lengths are in degrees (FROST-Server behaves the same).
 */

/** The JSTS geometry methods this module uses (added to the prototype by jsts' monkey.js). */
export interface JGeometry {
  getGeometryType(): string;
  isEmpty(): boolean;
  getNumGeometries(): number;
  getGeometryN(n: number): JGeometry;
  getLength(): number;
  distance(g: JGeometry): number;
  intersects(g: JGeometry): boolean;
  disjoint(g: JGeometry): boolean;
  touches(g: JGeometry): boolean;
  within(g: JGeometry): boolean;
  overlaps(g: JGeometry): boolean;
  crosses(g: JGeometry): boolean;
  contains(g: JGeometry): boolean;
  equalsTopo(g: JGeometry): boolean;
  relate(g: JGeometry, pattern: string): boolean;
}

const reader = new GeoJSONReader(new GeometryFactory());
const GEOMETRY_TYPES = new Set(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection']);

/**
 * A JSTS geometry for a GeoJSON value (geometry or Feature), or null when it has none, is empty or
 * is not topologically valid (invalid shapes make predicates meaningless; the PostGIS side of the
 * planner treats them the same way). Stored values (`stored`) that are GeometryCollections are not
 * used either: GEOS cannot relate every collection (mixed dimensions, overlapping members).
 */
export function jstsFromGeoJson(v: unknown, stored = true): JGeometry | null {
  const g = geometryOf(v);
  if (!g || typeof g.type !== 'string' || !GEOMETRY_TYPES.has(g.type)) return null;
  if (stored && g.type === 'GeometryCollection') return null;
  try {
    const j = reader.read(g) as unknown as JGeometry;
    return !j.isEmpty() && new IsValidOp(j).isValid() ? j : null;
  } catch {
    return null;
  }
}

const cache = new Lru<string, JGeometry | null>(512);

/**
 * Reads a geometry from SQL text: GeoJSON (stored columns) when it starts with `{`, else WKT
 * (literals). Parsed values are cached by text so a filter over a large table parses its literal
 * once. Returns null for text that is not a usable geometry — never throws.
 */
export function readGeometryText(text: unknown): JGeometry | null {
  if (typeof text !== 'string') return null;
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  let g: JGeometry | null = null;
  try {
    g = text.trimStart().startsWith('{') ? jstsFromGeoJson(JSON.parse(text)) : jstsFromGeoJson(parseWkt(text), false);
  } catch {
    g = null;
  }
  if (text.length <= 20_000) cache.set(text, g);
  return g;
}

/** A WKT literal parsed and checked: structure, then topological validity (OGC simple features). */
export function parseGeometryLiteral(text: string): { geometry: GeoJsonGeometry; wkt: string } {
  const geometry = parseWkt(text);
  let j: JGeometry;
  try {
    j = reader.read(geometry) as unknown as JGeometry;
  } catch (e) {
    throw new AppError('INVALID_GEOMETRY', `Invalid WKT geometry: ${(e as Error)?.message ?? 'unreadable'}`);
  }
  const op = new IsValidOp(j);
  if (!op.isValid()) {
    const err = op.getValidationError() as { getMessage(): string; getCoordinate(): { x: number; y: number } | null } | null;
    const at = err?.getCoordinate();
    throw new AppError('INVALID_GEOMETRY', `Invalid geometry ${toWkt(geometry).slice(0, 80)}: ${err?.getMessage() ?? 'not valid'}${at ? ` at (${at.x} ${at.y})` : ''}`);
  }
  if (geometry.type === 'GeometryCollection') checkCollectionAreas(j);
  return { geometry, wkt: toWkt(geometry) };
}

/** Areas of a collection must not overlap (GEOS raises a topology error on such collections). */
function checkCollectionAreas(gc: JGeometry): void {
  const areas: JGeometry[] = [];
  for (let i = 0; i < gc.getNumGeometries(); i++) {
    const m = gc.getGeometryN(i);
    const t = m.getGeometryType();
    if (t === 'GeometryCollection') checkCollectionAreas(m);
    else if (t === 'Polygon' || t === 'MultiPolygon') areas.push(m);
  }
  for (let i = 0; i < areas.length; i++) {
    for (let k = i + 1; k < areas.length; k++) {
      if (areas[i]!.relate(areas[k]!, 'T********')) throw new AppError('INVALID_GEOMETRY', 'Invalid geometry: the areas of a GEOMETRYCOLLECTION overlap; use a MULTIPOLYGON');
    }
  }
}

/** Length of the linear parts (PostGIS ST_Length semantics: points and areas count 0). */
export function linearLength(g: JGeometry): number {
  const t = g.getGeometryType();
  if (t === 'LineString' || t === 'LinearRing' || t === 'MultiLineString') return g.getLength();
  if (t === 'GeometryCollection') {
    let sum = 0;
    for (let i = 0; i < g.getNumGeometries(); i++) sum += linearLength(g.getGeometryN(i));
    return sum;
  }
  return 0;
}

export type SpatialPredicate = 'equals' | 'disjoint' | 'touches' | 'within' | 'overlaps' | 'crosses' | 'intersects' | 'contains';
export const SPATIAL_PREDICATES: readonly SpatialPredicate[] = ['equals', 'disjoint', 'touches', 'within', 'overlaps', 'crosses', 'intersects', 'contains'];

/** DE-9IM named predicate (null when either side has no geometry or JSTS cannot decide). */
export function spatialPredicate(name: SpatialPredicate, a: JGeometry | null, b: JGeometry | null): boolean | null {
  if (!a || !b) return null;
  try {
    return name === 'equals' ? a.equalsTopo(b) : a[name](b);
  } catch {
    return null;
  }
}

export function spatialRelate(a: JGeometry | null, b: JGeometry | null, pattern: string): boolean | null {
  if (!a || !b) return null;
  try {
    return a.relate(b, pattern);
  } catch {
    return null;
  }
}

export function spatialDistance(a: JGeometry | null, b: JGeometry | null): number | null {
  if (!a || !b) return null;
  try {
    const d = a.distance(b);
    return Number.isFinite(d) ? d : null;
  } catch {
    return null;
  }
}

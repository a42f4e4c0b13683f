/** GeoJSON geometry objects (RFC 7946 §3.1) as this project builds and reads them. */
export type Position = number[];

export type GeoJsonGeometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'MultiPoint'; coordinates: Position[] }
  | { type: 'LineString'; coordinates: Position[] }
  | { type: 'MultiLineString'; coordinates: Position[][] }
  | { type: 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] }
  | { type: 'GeometryCollection'; geometries: GeoJsonGeometry[] };

export type GeometryType = GeoJsonGeometry['type'];

/**
 * The geometry a stored geo value stands for: a geometry object itself, or the geometry of a
 * GeoJSON Feature. Anything else (FeatureCollection, null geometry, non-objects) has none.
 */
export function geometryOf(v: unknown): Record<string, unknown> | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  if (o.type === 'Feature') {
    const g = o.geometry;
    return g && typeof g === 'object' && !Array.isArray(g) ? (g as Record<string, unknown>) : null;
  }
  return o;
}

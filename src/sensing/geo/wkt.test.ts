import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../core/errors.ts';
import { parseGeometryLiteral } from './geometry-ops.ts';
import { parseWkt, toWkt } from './wkt.ts';

const invalid = (f: () => unknown, re: RegExp) =>
  assert.throws(f, (e: unknown) => e instanceof AppError && e.code === 'INVALID_GEOMETRY' && e.status === 400 && re.test(e.message));

describe('WKT', () => {
  test('reads every geometry type into GeoJSON', () => {
    assert.deepEqual(parseWkt('POINT (1 2)'), { type: 'Point', coordinates: [1, 2] });
    assert.deepEqual(parseWkt('point(-1.5 2e1)'), { type: 'Point', coordinates: [-1.5, 20] });
    assert.deepEqual(parseWkt('LINESTRING(0 0, 1 1, 2 0)'), { type: 'LineString', coordinates: [[0, 0], [1, 1], [2, 0]] });
    assert.deepEqual(parseWkt('POLYGON((0 0, 1 0, 1 1, 0 0), (0.1 0.05, 0.2 0.05, 0.2 0.1, 0.1 0.05))').type, 'Polygon');
    assert.deepEqual(parseWkt('MULTIPOINT((1 2), (3 4))'), { type: 'MultiPoint', coordinates: [[1, 2], [3, 4]] });
    assert.deepEqual(parseWkt('MULTIPOINT(1 2, 3 4)'), { type: 'MultiPoint', coordinates: [[1, 2], [3, 4]] });
    assert.deepEqual(parseWkt('MULTILINESTRING((0 0, 1 1), (2 2, 3 3))').type, 'MultiLineString');
    assert.deepEqual(parseWkt('MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))').type, 'MultiPolygon');
    assert.deepEqual(parseWkt('GEOMETRYCOLLECTION(POINT(1 2), LINESTRING(0 0, 1 1))'), {
      type: 'GeometryCollection',
      geometries: [
        { type: 'Point', coordinates: [1, 2] },
        { type: 'LineString', coordinates: [[0, 0], [1, 1]] },
      ],
    });
    assert.deepEqual(parseWkt('POINT Z (1 2 3)'), { type: 'Point', coordinates: [1, 2, 3] });
  });

  test("accepts the geography'…' / geometry'…' wrappers and an SRID=4326 prefix", () => {
    assert.deepEqual(parseWkt("geography'POINT(1 2)'"), { type: 'Point', coordinates: [1, 2] });
    assert.deepEqual(parseWkt("geometry'SRID=4326;POINT(1 2)'"), { type: 'Point', coordinates: [1, 2] });
    assert.deepEqual(parseWkt('  SRID=4326;POINT(1 2)  '), { type: 'Point', coordinates: [1, 2] });
  });

  test('rejects malformed text with a message that says what and where', () => {
    invalid(() => parseWkt('POINT(1)'), /2 or 3 numbers/);
    invalid(() => parseWkt('POINT(1 2'), /expected "\)"/);
    invalid(() => parseWkt('POINT(1 2) extra'), /unexpected text after the geometry at position 12/);
    invalid(() => parseWkt('CIRCLE(1 2)'), /unknown geometry type CIRCLE/);
    invalid(() => parseWkt('POINT EMPTY'), /EMPTY/);
    invalid(() => parseWkt('POINT M (1 2 3)'), /measured/);
    invalid(() => parseWkt('LINESTRING(0 0)'), /at least 2/);
    invalid(() => parseWkt('POLYGON((0 0, 1 0, 1 1, 0 1))'), /end where it starts/);
    invalid(() => parseWkt('POLYGON((0 0, 1 0, 0 0))'), /at least 4/);
    invalid(() => parseWkt('LINESTRING(0 0, 1 1 1)'), /mix 2 and 3 dimensions/);
    invalid(() => parseWkt('SRID=3857;POINT(1 2)'), /only SRID=4326/);
    invalid(() => parseWkt('POINT(1e999 2)'), /out of range/);
    invalid(() => parseWkt(`${'GEOMETRYCOLLECTION('.repeat(12)}POINT(1 2)${')'.repeat(12)}`), /nested more than/);
    invalid(() => parseWkt('POINT(1 2);'), /unexpected character/);
    invalid(() => parseWkt(''), /expected a geometry type/);
  });

  test('toWkt writes exact numbers and round-trips', () => {
    for (const w of ['POINT (0.1 -2.5e-7)', 'POINT Z (1 2 3)', 'LINESTRING (0 0, 1 1)', 'POLYGON ((0 0, 1 0, 1 1, 0 0))', 'MULTIPOINT ((1 2), (3 4))', 'GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1))']) {
      assert.equal(toWkt(parseWkt(w)), w);
    }
    assert.equal(toWkt({ type: 'Point', coordinates: [-0, 0.30000000000000004] }), 'POINT (0 0.30000000000000004)');
  });

  test('literals are checked for topological validity', () => {
    assert.equal(parseGeometryLiteral('POLYGON((0 0, 2 0, 2 2, 0 2, 0 0))').wkt, 'POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))');
    invalid(() => parseGeometryLiteral('POLYGON((0 0, 2 2, 2 0, 0 2, 0 0))'), /Self-intersection at \(1 1\)/);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { readGeometryText } from './geometry-ops.ts';
import { Lru } from './lru.ts';
import { registerGeoFunctions } from './sqlite-functions.ts';

const db = new BetterSqlite3(':memory:');
registerGeoFunctions(db);
const one = (q: string, ...p: unknown[]) => Object.values(db.prepare(q).get(...p) as object)[0];

const SQUARE = JSON.stringify({ type: 'Polygon', coordinates: [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]] });
const POINT = JSON.stringify({ type: 'Point', coordinates: [1, 1] });

describe('SQLite geo functions', () => {
  test('distance and length are planar, in coordinate units', () => {
    assert.equal(one('SELECT cantho_geo_distance(?, ?)', POINT, 'POINT(4 5)'), 5);
    assert.equal(one('SELECT cantho_geo_distance(?, ?)', SQUARE, 'POINT(7 8)'), 5);
    assert.equal(one('SELECT cantho_geo_distance(?, ?)', SQUARE, 'POINT(1 1)'), 0);
    assert.equal(one('SELECT cantho_geo_length(?)', 'LINESTRING(0 0, 3 4, 3 5)'), 6);
    assert.equal(one('SELECT cantho_geo_length(?)', SQUARE), 0, 'areas have no length (PostGIS ST_Length)');
    assert.equal(one('SELECT cantho_geo_length(?)', 'GEOMETRYCOLLECTION(LINESTRING(0 0, 3 4), POLYGON((0 0, 1 0, 1 1, 0 0)))'), 5);
  });

  test('named predicates and relate follow DE-9IM', () => {
    const p = (name: string, a: string, b: string) => one(`SELECT cantho_st_${name}(?, ?)`, a, b);
    assert.equal(p('intersects', SQUARE, 'POINT(1 1)'), 1);
    assert.equal(p('contains', SQUARE, 'POINT(1 1)'), 1);
    assert.equal(p('within', POINT, 'POLYGON((0 0, 4 0, 4 4, 0 4, 0 0))'), 1);
    assert.equal(p('touches', SQUARE, 'POINT(0 2)'), 1);
    assert.equal(p('disjoint', SQUARE, 'POINT(9 9)'), 1);
    assert.equal(p('crosses', SQUARE, 'LINESTRING(-1 2, 5 2)'), 1);
    assert.equal(p('overlaps', SQUARE, 'POLYGON((2 2, 6 2, 6 6, 2 6, 2 2))'), 1);
    assert.equal(p('equals', SQUARE, 'POLYGON((4 4, 0 4, 0 0, 4 0, 4 4))'), 1);
    assert.equal(p('equals', SQUARE, 'POINT(1 1)'), 0);
    assert.equal(one('SELECT cantho_st_relate(?, ?, ?)', POINT, SQUARE, 'T*F**F***'), 1);
    assert.equal(one('SELECT cantho_st_relate(?, ?, ?)', POINT, SQUARE, 'bogus'), null);
  });

  test('GeoJSON Features are read through their geometry', () => {
    const f = JSON.stringify({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [3, 4] } });
    assert.equal(one('SELECT cantho_geo_distance(?, ?)', f, 'POINT(0 0)'), 5);
  });

  test('unusable values give NULL, never an error', () => {
    for (const bad of ['not json {', '{"type":"Point"}', '{"type":"FeatureCollection","features":[]}', 'POINT(', '{"type":"Polygon","coordinates":[[[0,0],[2,2],[2,0],[0,2],[0,0]]]}', '{"type":"Polygon","coordinates":[]}', '{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[0,0]}]}']) {
      assert.equal(one('SELECT cantho_st_intersects(?, ?)', bad, 'POINT(0 0)'), null, bad);
      assert.equal(one('SELECT cantho_geo_distance(?, ?)', bad, 'POINT(0 0)'), null, bad);
    }
    assert.equal(one('SELECT cantho_geo_distance(NULL, ?)', 'POINT(0 0)'), null);
    assert.equal(one('SELECT cantho_geo_distance(42, ?)', 'POINT(0 0)'), null);
    assert.equal(one('SELECT cantho_geo_length(NULL)'), null);
  });

  test('GeometryCollection literals (WKT) are usable; stored ones (GeoJSON) are not', () => {
    assert.equal(one('SELECT cantho_st_intersects(?, ?)', 'GEOMETRYCOLLECTION(POINT(0 0), LINESTRING(5 5, 6 6))', 'POINT(0 0)'), 1);
  });

  test('the LRU keeps the most recently used entries', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    assert.equal(lru.get('a'), 1);
    lru.set('c', 3);
    assert.equal(lru.get('b'), undefined);
    assert.equal(lru.get('a'), 1);
    assert.equal(lru.size, 2);
  });

  test('parsed geometries are cached by text', () => {
    assert.equal(readGeometryText('POINT(9 9)'), readGeometryText('POINT(9 9)'));
    assert.equal(readGeometryText('POINT(9'), null);
  });

  test('case mapping is Unicode-aware and one character to one', () => {
    assert.equal(one('SELECT cantho_lower(?)', 'CẦN THƠ Ä'), 'cần thơ ä');
    assert.equal(one('SELECT cantho_upper(?)', 'cần thơ ß'), 'CẦN THƠ ß');
    assert.equal(one('SELECT cantho_lower(NULL)'), null);
  });
});

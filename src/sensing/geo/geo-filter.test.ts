import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AppError } from '../../core/errors.ts';
import type { Database } from '../../storage/database.ts';
import { testBackends } from '../../testing/databases.ts';
import type { EntityName } from '../model/entities.ts';
import { openDataset, refIds, sqlIds } from '../query/test-harness.ts';

/** Geo functions through the $filter planner, on every backend (PostGIS / JSTS) and the reference evaluator. */
const BIG = "geography'POLYGON((100 0, 110 0, 110 20, 100 20, 100 0))'";
const CASES: [EntityName, string, number[]][] = [
  ['Location', "geo.distance(location, geography'POINT(105 10)') lt 1", [1, 2, 3]],
  ['Location', "geo.distance(location, geography'POINT(105 10)') gt 0.7805 and geo.distance(location, geography'POINT(105 10)') lt 0.7806", [1]],
  ['Location', "geo.distance(location, geography'POINT(105 10)') eq 0", [2, 3]],
  ['Location', "geo.distance(location, 'POINT(107.5 10.5)') eq 1", [4]],
  ['Location', "geo.distance(location, geography'LINESTRING(106 11, 108 11)') lt 0.6", [3, 4]],
  ['Location', 'geo.length(location) gt 2.8284 and geo.length(location) lt 2.8285', [3]],
  ['Location', 'geo.length(location) eq 0', [1, 2, 4]],
  ['Location', "geo.intersects(location, geography'POINT(105.5 9.5)')", [2]],
  ['Location', "geo.intersects(location, geography'LINESTRING(104 9.5, 108 9.5)')", [2]],
  ['Location', "geo.intersects(location, geography'POLYGON((105.5 9.5, 107 9.5, 107 11, 105.5 11, 105.5 9.5))')", [1, 2, 3, 4]],
  ['Location', "st_intersects(location, 'LINESTRING(104 9.5, 108 9.5)')", [2]],
  ['Location', `st_within(location, ${BIG})`, [1, 2, 3, 4]],
  ['Location', "st_within(location, geography'POLYGON((105 9, 106 9, 106 10.1, 105 10.1, 105 9))')", [1, 2]],
  ['Location', "st_contains(location, geography'POINT(105.5 9.5)')", [2]],
  ['Location', "st_contains(location, geography'MULTIPOINT((105.5 9.5), (105.6 9.6))')", [2]],
  ['Location', "st_touches(location, geography'POINT(105 9.5)')", [2]],
  ['Location', "st_crosses(location, geography'LINESTRING(104 9.5, 108 9.5)')", [2]],
  ['Location', "st_crosses(location, geography'LINESTRING(105 12, 107 10)')", [3]],
  ['Location', "st_overlaps(location, geography'POLYGON((105.5 9.5, 107 9.5, 107 11, 105.5 11, 105.5 9.5))')", [2]],
  ['Location', "st_disjoint(location, geography'POINT(0 0)')", [1, 2, 3, 4]],
  ['Location', "st_equals(location, geography'POINT(106.5 10.5)')", [4]],
  ['Location', "st_equals(location, geography'POLYGON((106 10, 105 10, 105 9, 106 9, 106 10))')", [2]],
  ['Location', "st_relate(location, geography'POINT(105.5 9.5)', 'T*****FF*')", [2]],
  ['Location', "st_intersects(location, geography'GEOMETRYCOLLECTION(POINT(105.78 10.03), LINESTRING(0 0, 1 1))')", [1]],
  ['Location', "st_relate(location, geography'MULTIPOINT((105.78 10.03), (0 0))', 'T********')", [1]],
  ['Location', "not st_intersects(location, geography'SRID=4326;POINT(105.78 10.03)')", [2, 3, 4]],
  ['Thing', `st_within(Locations/location, ${BIG})`, [1, 2, 3]],
  ['Thing', "geo.intersects(Locations/location, geography'POINT(105.5 9.5)')", [2]],
  ['Thing', "geo.distance(Locations/location, geography'POINT(106.5 10.5)') lt 0.001", [3]],
  ['HistoricalLocation', "st_intersects(Locations/location, geography'POINT(106 11)')", [2]],
  ['Datastream', "st_contains(observedArea, geography'POINT(105.5 9.5)')", [1]],
  ['Datastream', 'observedArea eq null', [2, 3, 5]],
  ['Observation', "st_within(FeatureOfInterest/feature, geography'POLYGON((105 9, 106 9, 106 10, 105 10, 105 9))')", [4, 5, 10, 11, 14, 15]],
  // FeatureOfInterest 3 is a self-intersecting polygon: unusable, so neither a predicate nor its negation holds.
  ['FeatureOfInterest', `st_intersects(feature, geography'POLYGON((-10 -10, 10 -10, 10 10, -10 10, -10 -10))')`, []],
  ['FeatureOfInterest', `not st_intersects(feature, geography'POLYGON((-10 -10, 10 -10, 10 10, -10 10, -10 -10))')`, [1, 2]],
  ['FeatureOfInterest', "geo.distance(feature, geography'POINT(0 0)') eq null", [3]],
  ['FeatureOfInterest', 'feature ne null', [1, 2, 3]],
];

const sorted = (a: number[]) => [...a].sort((x, y) => x - y);

test('reference evaluator (JSTS) gives the expected ids', () => {
  for (const [e, f, want] of CASES) assert.deepEqual(sorted(refIds(e, f)), want, f);
});

for (const backend of testBackends()) {
  describe(`geo $filter on ${backend.dialect}`, () => {
    let db: Database;
    before(async () => {
      db = await openDataset(backend);
    });
    after(async () => {
      await db.close();
      await backend.cleanup();
    });
    for (const [e, f, want] of CASES) {
      test(`${e}: ${f}`, async () => {
        assert.deepEqual(sorted(await sqlIds(db, e, f)), want);
      });
    }
    test('ordering by distance', async () => {
      assert.deepEqual(await sqlIds(db, 'Location', undefined, "geo.distance(location, geography'POINT(106.9 10.4)')"), [4, 2, 3, 1]);
      assert.deepEqual(await sqlIds(db, 'Location', undefined, "geo.distance(location, geography'POINT(106.9 10.4)') desc"), [1, 3, 2, 4]);
    });
    test('bad geometry literals are INVALID_GEOMETRY (400) naming the problem', async () => {
      for (const [f, re] of [
        ["st_within(location, geography'POLYGON((0 0, 1 1, 1 0, 0 1, 0 0))')", /Self-intersection/],
        ["geo.distance(location, 'POINT(1)') lt 1", /2 or 3 numbers/],
        ["geo.intersects(location, geography'CIRCLE(1 2 3)')", /unknown geometry type CIRCLE/],
        ["geo.intersects(location, 'hello')", /unknown geometry type HELLO/],
        ["st_relate(location, geography'GEOMETRYCOLLECTION(POINT(1 2))', 'T********')", /does not support GEOMETRYCOLLECTION/],
        ["st_intersects(location, 'GEOMETRYCOLLECTION(POLYGON((0 0, 2 0, 2 2, 0 2, 0 0)), POLYGON((1 1, 3 1, 3 3, 1 3, 1 1)))')", /overlap/],
      ] as const) {
        await assert.rejects(sqlIds(db, 'Location', f), (err: unknown) => err instanceof AppError && err.code === 'INVALID_GEOMETRY' && err.status === 400 && re.test(err.message));
      }
    });
    test('geo functions reject non-geometries with WRONG_TYPE', async () => {
      for (const f of ["geo.distance(name, geography'POINT(1 2)') lt 1", "st_within(properties, geography'POINT(1 2)')", "geo.length(5) eq 1"]) {
        await assert.rejects(sqlIds(db, 'Location', f), (err: unknown) => err instanceof AppError && err.code === 'WRONG_TYPE');
      }
      await assert.rejects(sqlIds(db, 'Location', "st_relate(location, geography'POINT(1 2)', 'XYZ')"), (err: unknown) => err instanceof AppError && err.code === 'INVALID_FILTER');
    });
  });
}

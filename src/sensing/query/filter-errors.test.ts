import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AppError } from '../../core/errors.ts';
import type { Database } from '../../storage/database.ts';
import { testBackends } from '../../testing/databases.ts';
import type { EntityName } from '../model/entities.ts';
import { openDataset, sqlIds } from './test-harness.ts';

/** Each case: a 400-class AppError with this code and a message matching the pattern — never an SQL error. */
const ERRORS: [EntityName, string, string, RegExp][] = [
  ['Thing', 'name gt 5', 'WRONG_TYPE', /Cannot compare a string with a number using gt \(at character 6\)/],
  ['Thing', "id eq '5'", 'WRONG_TYPE', /number with a string/],
  ['Thing', 'year(name) eq 2020', 'WRONG_TYPE', /year\(\) expects a date-time argument, not a string/],
  ['Thing', 'length(id) eq 1', 'WRONG_TYPE', /length\(\) expects a string argument, not a number/],
  ['Thing', "round('a') eq 1", 'WRONG_TYPE', /round\(\) expects a number/],
  ['Thing', "'a' add 1 eq 2", 'WRONG_TYPE', /Cannot add a string and a number/],
  ['Thing', 'name', 'WRONG_TYPE', /Expected a boolean condition but found a string/],
  ['Thing', 'id add 1', 'WRONG_TYPE', /Expected a boolean condition but found a number/],
  ['Thing', 'not name', 'WRONG_TYPE', /boolean/],
  ['Thing', 'id gt null', 'WRONG_TYPE', /null can only be compared with eq or ne/],
  ['Thing', '-name eq 1', 'WRONG_TYPE', /Cannot negate a string/],
  ['Thing', 'properties/x gt 2020-01-01T00:00:00Z', 'WRONG_TYPE', /Cannot compare a JSON value with a datetime/],
  ['Location', "location eq geography'POINT(1 2)'", 'WRONG_TYPE', /use st_equals/],
  ['Observation', 'phenomenonTime gt 5', 'WRONG_TYPE', /interval with a number/],
  ['Observation', "phenomenonTime gt 'yesterday'", 'WRONG_TYPE', /'yesterday' is not an ISO 8601 date-time/],
  ['Observation', "phenomenonTime mul duration'PT1H' eq 1", 'WRONG_TYPE', /Cannot mul an interval and a duration/],
  ['Observation', "resultTime add 5 gt 2020-01-01T00:00:00Z", 'WRONG_TYPE', /Cannot add a datetime and a number/],
  ['Thing', 'foo eq 1', 'UNKNOWN_PROPERTY', /Thing has no property or navigation property "foo" \(in "foo"\)/],
  ['Observation', "Datastream/Thing/nam eq 'x'", 'UNKNOWN_PROPERTY', /Thing has no property or navigation property "nam" \(in "Datastream\/Thing\/nam"\)/],
  ['Thing', "Datastreams/foo eq 'x'", 'UNKNOWN_PROPERTY', /Datastream has no property/],
  ['Thing', "name/first eq 'x'", 'UNKNOWN_PROPERTY', /Thing\/name is a string and has no sub-properties/],
  ['Observation', 'Datastream eq null', 'INVALID_FILTER', /names a related Datastream, not a value/],
  ['Thing', 'Datastreams[0]/name eq null', 'INVALID_FILTER', /cannot be indexed/],
  ['Thing', "st_relate(Locations/location, geography'POINT(1 2)', 'T*F') ", 'INVALID_FILTER', /DE-9IM pattern/],
  ['Thing', `${Array.from({ length: 45 }, (_, i) => `Datastreams/name eq '${i}'`).join(' or ')}`, 'QUERY_TOO_COSTLY', /more than 40 navigation subqueries/],
  ['Observation', `result${' mul result'.repeat(50)} gt 1`, 'QUERY_TOO_COSTLY', /nests more than 48/],
  ['Observation', "phenomenonTime add duration'P999999D' gt now()", 'INVALID_FILTER', /longer than/],
];

for (const backend of testBackends()) {
  describe(`$filter errors on ${backend.dialect}`, () => {
    let db: Database;
    before(async () => {
      db = await openDataset(backend);
    });
    after(async () => {
      await db.close();
      await backend.cleanup();
    });
    for (const [entity, filter, code, re] of ERRORS) {
      test(`${code}: ${filter.slice(0, 70)}`, async () => {
        await assert.rejects(sqlIds(db, entity, filter), (e: unknown) => {
          assert.ok(e instanceof AppError, `not an AppError: ${String(e)}`);
          assert.equal(e.code, code, e.message);
          assert.ok(e.status >= 400 && e.status < 500);
          assert.match(e.message, re);
          return true;
        });
      });
    }

    test('type mismatches in the data never raise SQL errors', async () => {
      for (const [entity, filter] of [
        ['Thing', 'properties/owner/name gt 5'],
        ['Thing', "properties/owner gt 'a' or properties/tags gt 1 or properties eq 'x'"],
        ['Thing', 'properties/n mul 2 gt 1 and properties/n div 0 eq null'],
        ['Thing', 'properties/tags[0][1]/x eq 1'],
        ['Observation', 'result mul result mul result mul result gt 0'],
        ['Observation', "result/a eq 'x' or result[0] eq 1 or length(result) gt 1 or year(phenomenonTime) eq 1"],
        ['Observation', "parameters/ok add 1 eq 2 or round(parameters/note) eq 1 or tolower(parameters/depth) eq 'x'"],
        ['Observation', 'result mod 0 eq null and floor(result) div (result sub result) eq null'],
        ['Observation', 'substring(result, -1000000000000, 99999999999999) eq result'],
        ['Observation', "phenomenonTime add duration'P100000D' gt now()"],
        ['Observation', `${'('.repeat(30)}result${' mul result)'.repeat(30)} gt 1`],
        ['Datastream', 'unitOfMeasurement gt 1 or observedArea/coordinates[0] eq 1'],
        ['FeatureOfInterest', "geo.length(feature) ge 0 or geo.distance(feature, 'POINT(0 0)') ge 0"],
      ] as [EntityName, string][]) {
        await sqlIds(db, entity, filter);
      }
    });

    test('$orderby errors', async () => {
      const rejects = (o: string, code: string, re: RegExp) =>
        assert.rejects(sqlIds(db, 'Thing', undefined, o), (e: unknown) => e instanceof AppError && e.code === code && re.test(e.message));
      await rejects('Datastreams/name', 'INVALID_ORDERBY', /to-many navigation Thing\/Datastreams/);
      await rejects('Locations/location', 'INVALID_ORDERBY', /to-many/);
      await rejects('nope', 'UNKNOWN_PROPERTY', /nope/);
      await rejects('name up', 'INVALID_ORDERBY', /unexpected "up"/);
      await assert.rejects(sqlIds(db, 'Location', undefined, 'location'), (e: unknown) => e instanceof AppError && e.code === 'INVALID_ORDERBY' && /geo\.distance/.test(e.message));
    });
  });
}

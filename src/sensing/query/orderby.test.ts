import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../storage/database.ts';
import { testBackends } from '../../testing/databases.ts';
import type { EntityName } from '../model/entities.ts';
import { openDataset, refIds, sqlIds } from './test-harness.ts';

/**
 * $orderby: [entity, $filter or null, $orderby, expected ids in order]. Nulls sort first ascending
 * and last descending; strings by code point; JSON values by type (null/other < boolean < number <
 * string) then value; intervals by start then end; ties by id.
 */
const CASES: [EntityName, string | null, string, number[]][] = [
  ["Thing",null,"name",[1,4,3,2,5]],
  ["Thing",null,"name desc",[5,2,3,4,1]],
  ["Thing",null,"properties/n",[4,5,1,2,3]],
  ["Thing",null,"properties/n desc",[3,2,1,5,4]],
  ["Thing",null,"properties/owner/name, id desc",[5,4,3,1,2]],
  ["Thing",null,"length(description) desc, name",[1,3,2,5,4]],
  ["Observation",null,"result",[13,14,15,12,11,3,4,6,16,17,1,2,5,9,10,18,7,8]],
  ["Observation","result ne null","result desc",[8,7,18,10,9,5,2,1,17,16,6,4,3,11,12,13,14]],
  ["Observation",null,"phenomenonTime desc",[11,8,10,7,6,5,4,3,2,18,17,1,13,16,15,14,12,9]],
  ["Observation",null,"validTime, phenomenonTime",[9,12,14,1,13,16,17,18,2,4,5,6,10,8,11,15,3,7]],
  ["Observation",null,"resultTime desc, id desc",[11,5,3,1,9,18,17,16,15,14,13,12,10,8,7,6,4,2]],
  ["Observation",null,"Datastream/Thing/name desc, result",[13,12,11,10,14,15,16,17,3,4,6,1,2,5,9,18,7,8]],
  ["Observation",null,"year(phenomenonTime) desc, hour(phenomenonTime)",[1,5,7,10,13,16,17,18,2,8,3,11,4,6,14,15,12,9]],
  ["Observation","result gt 0","result mod 5",[5,6,1,2,16,17]],
  ["Datastream",null,"phenomenonTime",[2,5,4,1,3]],
  ["Datastream",null,"unitOfMeasurement/symbol desc",[1,3,2,4,5]],
  ["Thing",null,"startswith(name, 'F') desc, id",[3,1,2,4,5]],
  ["Thing",null,"Datastreams/name eq 'Empty'",[1,3,4,5,2]],
  ["Observation",null,"parameters/depth desc, parameters/ok",[3,18,1,15,5,2,4,6,7,8,9,11,12,13,14,16,17,10]],
];

test('reference evaluator orders as expected', () => {
  for (const [e, f, o, want] of CASES) assert.deepEqual(refIds(e, f ?? undefined, o), want, o);
});

for (const backend of testBackends()) {
  describe(`$orderby on ${backend.dialect}`, () => {
    let db: Database;
    before(async () => {
      db = await openDataset(backend);
    });
    after(async () => {
      await db.close();
      await backend.cleanup();
    });
    for (const [e, f, o, want] of CASES) {
      test(`${e}: ${o}${f ? ` (filter ${f})` : ''}`, async () => {
        assert.deepEqual(await sqlIds(db, e, f ?? undefined, o), want);
      });
    }
  });
}

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../storage/database.ts';
import { testBackends } from '../../testing/databases.ts';
import { CASES } from './filter-cases.ts';
import { openDataset, refIds, sqlIds } from './test-harness.ts';

const sorted = (a: readonly number[]) => [...a].sort((x, y) => x - y);

describe('reference evaluator agrees with the expected ids', () => {
  for (const [group, cases] of Object.entries(CASES)) {
    test(group, () => {
      for (const [entity, filter, expected] of cases) assert.deepEqual(sorted(refIds(entity, filter)), sorted(expected), `${entity}?$filter=${filter}`);
    });
  }
});

for (const backend of testBackends()) {
  describe(`$filter on ${backend.dialect}`, () => {
    let db: Database;
    before(async () => {
      db = await openDataset(backend);
    });
    after(async () => {
      await db.close();
      await backend.cleanup();
    });
    for (const [group, cases] of Object.entries(CASES)) {
      describe(group, () => {
        for (const [entity, filter, expected] of cases) {
          test(`${entity}: ${filter}`, async () => {
            assert.deepEqual(sorted(await sqlIds(db, entity, filter)), sorted(expected));
          });
        }
      });
    }
  });
}

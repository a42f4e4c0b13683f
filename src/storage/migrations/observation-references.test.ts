import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { testBackends } from '../../testing/databases.ts';
import type { Database } from '../database.ts';
import { migrate } from '../migrate.ts';

/**
 * The references of an observation hold on both databases: per-row foreign keys on SQLite, the
 * statement-level checks of migration 004 on PostgreSQL. Same rules, tested through plain SQL.
 */
for (const backend of testBackends()) {
  describe(`observation references on ${backend.dialect}`, () => {
    let db: Database;
    let ds = 0;
    let foi = 0;
    const run = (q: ReturnType<typeof sql>) => q.execute(db.kysely);
    const count = async (where: ReturnType<typeof sql>) => Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM observations WHERE ${where}`.execute(db.kysely)).rows[0]!.n);
    const code = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (e) {
        return (e as { code?: string }).code;
      }
      return 'no error';
    };
    const fk = backend.dialect === 'sqlite' ? 'SQLITE_CONSTRAINT_FOREIGNKEY' : '23503';

    before(async () => {
      db = await backend.open();
      await migrate(db);
      const id = async (q: ReturnType<typeof sql>) => Number((await sql<{ id: number }>`${q} RETURNING id`.execute(db.kysely)).rows[0]!.id);
      const thing = await id(sql`INSERT INTO things (name, description) VALUES ('t', 't')`);
      const sensor = await id(sql`INSERT INTO sensors (name, description, encoding_type, metadata) VALUES ('s', 's', 'text/plain', '"m"')`);
      const prop = await id(sql`INSERT INTO observed_properties (name, definition, description) VALUES ('o', 'o', 'o')`);
      ds = await id(sql`INSERT INTO datastreams (name, description, observation_type, unit_of_measurement, thing_id, sensor_id, observed_property_id)
        VALUES ('d', 'd', 'x', '{}', ${thing}, ${sensor}, ${prop})`);
      foi = await id(sql`INSERT INTO features_of_interest (name, description, encoding_type, feature) VALUES ('f', 'f', 'application/geo+json', ${db.dialect === 'postgres' ? sql`CAST('{"type":"Point","coordinates":[105.7,10]}' AS jsonb)` : '{"type":"Point","coordinates":[105.7,10]}'})`);
    });
    after(async () => {
      await db?.close();
      await backend.cleanup();
    });

    test('an insert that names a missing Datastream or FeatureOfInterest fails as a foreign-key violation, and writes nothing', async () => {
      assert.equal(await code(() => run(sql`INSERT INTO observations (phenomenon_time_start, result_num, datastream_id, feature_of_interest_id) VALUES (1, 1, ${ds}, ${foi}), (2, 2, ${ds + 1000}, ${foi})`)), fk);
      assert.equal(await code(() => run(sql`INSERT INTO observations (phenomenon_time_start, result_num, datastream_id, feature_of_interest_id) VALUES (1, 1, ${ds}, ${foi + 1000})`)), fk);
      assert.equal(await count(sql`1 = 1`), 0);
    });

    test('an update that points an observation at a missing Datastream fails; a valid one passes', async () => {
      await run(sql`INSERT INTO observations (phenomenon_time_start, result_num, datastream_id, feature_of_interest_id) VALUES (1, 1, ${ds}, ${foi}), (2, 2, ${ds}, ${foi})`);
      assert.equal(await code(() => run(sql`UPDATE observations SET datastream_id = ${ds + 1000} WHERE phenomenon_time_start = 2`)), fk);
      await run(sql`UPDATE observations SET result_num = 3 WHERE phenomenon_time_start = 2`);
      assert.equal(await count(sql`datastream_id = ${ds}`), 2);
    });

    test('deleting the FeatureOfInterest, then the Datastream, deletes their observations', async () => {
      const foi2 = Number((await sql<{ id: number }>`INSERT INTO features_of_interest (name, description, encoding_type, feature) VALUES ('g', 'g', 'text/plain', ${db.dialect === 'postgres' ? sql`CAST('"x"' AS jsonb)` : '"x"'}) RETURNING id`.execute(db.kysely)).rows[0]!.id);
      await run(sql`INSERT INTO observations (phenomenon_time_start, result_num, datastream_id, feature_of_interest_id) VALUES (5, 5, ${ds}, ${foi2})`);
      assert.equal(await count(sql`datastream_id = ${ds}`), 3);
      await run(sql`DELETE FROM features_of_interest WHERE id = ${foi2}`);
      assert.equal(await count(sql`datastream_id = ${ds}`), 2);
      await run(sql`DELETE FROM datastreams WHERE id = ${ds}`);
      assert.equal(await count(sql`1 = 1`), 0);
    });
  });
}

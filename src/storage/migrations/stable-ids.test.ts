import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openDatabase } from '../database.ts';
import { migrate } from '../migrate.ts';

/**
 * Migration 005 on SQLite: a database made before it (rows, references, indexes) keeps all of
 * them, and from then on an id is never handed out twice. Over HTTP, on both databases:
 * src/sensing/write/stable-ids.test.ts.
 */
const dir = mkdtempSync(join(tmpdir(), 'cantho-ids-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Raw = NonNullable<ReturnType<typeof openDatabase>['sqlite']>;
const schemaOf = (raw: Raw, type: string) =>
  raw.prepare("SELECT name, sql FROM sqlite_schema WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name").all(type) as { name: string; sql: string | null }[];
/** The rows of the tables of the schema before migration 5 (all with a rowid), in rowid order. */
const dump = (raw: Raw, tables: string[]) => Object.fromEntries(tables.map((t) => [t, raw.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]));

test('an existing database: rows, references and indexes kept; ids never handed out twice afterwards', async () => {
  const db = openDatabase(join(dir, 'old.db'));
  const fresh = openDatabase(join(dir, 'fresh.db'));
  try {
    assert.ok((await migrate(db, { upTo: 4 })).includes(4));
    const raw = db.sqlite!;
    raw.exec(`
      INSERT INTO things (name, description) VALUES ('pond 1', 'p'), ('pond 2', 'p');
      INSERT INTO locations (name, description, encoding_type, location) VALUES ('l', 'l', 'application/geo+json', '{"type":"Point","coordinates":[105.7,10]}');
      INSERT INTO thing_locations (thing_id, location_id) VALUES (2, 1);
      INSERT INTO sensors (name, description, encoding_type, metadata) VALUES ('s', 's', 'text/plain', '"m"');
      INSERT INTO observed_properties (name, definition, description) VALUES ('o', 'o', 'o');
      INSERT INTO datastreams (name, description, observation_type, unit_of_measurement, thing_id, sensor_id, observed_property_id) VALUES ('d', 'd', 'x', '{}', 2, 1, 1);
      INSERT INTO features_of_interest (name, description, encoding_type, feature) VALUES ('f', 'f', 'application/geo+json', '{"type":"Point","coordinates":[105.7,10]}');
      INSERT INTO observations (phenomenon_time_start, result_num, datastream_id, feature_of_interest_id) VALUES (1000, 1.5, 1, 1), (2000, 2.5, 1, 1), (3000, 3.5, 1, 1);
      INSERT INTO users (name, role, created_at) VALUES ('u', 'admin', 0);`);
    const tables = schemaOf(raw, 'table').map((t) => t.name).filter((t) => t !== 'schema_migrations');
    const before = dump(raw, tables);
    const idOf = (sql: string) => Number(raw.prepare(sql).run().lastInsertRowid);
    // Before: delete the newest observation, and the next one gets its id again.
    raw.exec('DELETE FROM observations WHERE id = 3');
    assert.equal(idOf('INSERT INTO observations (phenomenon_time_start, result_num, datastream_id, feature_of_interest_id) VALUES (3000, 3.5, 1, 1)'), 3, 'the old table reuses an id (else this test proves nothing)');

    const steps: number[] = [];
    // (The trace module's step 10 comes after it, here where the old database stopped at 4.)
    assert.deepEqual(await migrate(db, { onStep: (m, isNew) => steps.push(isNew ? -m.version : m.version) }), [5, 10]);
    assert.deepEqual(steps, [5, 10], 'each step announced, on a database that is not new');
    assert.deepEqual(dump(raw, tables), before, 'every row kept, with its id');
    assert.equal(raw.pragma('foreign_keys', { simple: true }), 1, 'foreign keys are on again');
    assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');

    // The same schema as a database made from scratch, indexes included.
    await migrate(fresh, { onStep: (_, isNew) => assert.equal(isNew, true, 'a new database') });
    for (const type of ['table', 'index']) assert.deepEqual(schemaOf(raw, type), schemaOf(fresh.sqlite!, type), `the same ${type}s`);
    assert.match(schemaOf(raw, 'table').find((t) => t.name === 'observations')!.sql!, /id INTEGER PRIMARY KEY AUTOINCREMENT,/);

    // After: the newest rows deleted, a new row gets a new id.
    raw.exec('DELETE FROM observations WHERE id = 3');
    assert.equal(idOf('INSERT INTO observations (phenomenon_time_start, result_num, datastream_id, feature_of_interest_id) VALUES (4000, 4.5, 1, 1)'), 4);
    raw.exec('DELETE FROM things WHERE id = 2');
    assert.equal(idOf("INSERT INTO things (name, description) VALUES ('pond 3', 'p')"), 3);
    // The references still hold, cascades included: deleting Thing 2 took its Datastream and that one's Observations.
    assert.deepEqual(raw.prepare('SELECT (SELECT COUNT(*) FROM datastreams) AS ds, (SELECT COUNT(*) FROM observations) AS obs, (SELECT COUNT(*) FROM thing_locations) AS tl').get(), { ds: 0, obs: 0, tl: 0 });
    assert.throws(() => raw.exec('INSERT INTO datastreams (name, description, observation_type, unit_of_measurement, thing_id, sensor_id, observed_property_id) VALUES (1, 1, 1, 1, 99, 1, 1)'), /FOREIGN KEY/);

    assert.deepEqual(await migrate(db), [], 'nothing left to apply');
  } finally {
    await db.close();
    await fresh.close();
  }
});

// Query plans of the hot reads: a stream's newest Observations come from the (stream, time) index
// without sorting the stream, and its default (id) order from (stream, id), on both databases.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { parseQueryOptions } from '../http/query-options.ts';
import { ENTITIES } from '../model/entities.ts';
import { forEachBackend } from '../../testing/platform.ts';
import { leadingKeyRange, limitOffset, orderOf, whereOf } from './collection-query.ts';
import { deadlineFrom } from '../../storage/deadline.ts';

const Obs = ENTITIES.Observation;

forEachBackend((t) => {
  before(async () => {
    // Enough rows for PostgreSQL's planner to prefer an index; statistics as after autovacuum.
    const db = t.p.db;
    const r = await t.api('POST', '/v1.1/Things', {
      name: 'p', description: 'p',
      Locations: [{ name: 'l', description: 'l', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.7, 10] } }],
      Datastreams: Array.from({ length: 20 }, (_, i) => ({ name: `d${i}`, description: 'd', observationType: 'x', unitOfMeasurement: { name: 'm', symbol: 'm', definition: 'm' },
        Sensor: { name: 's', description: 's', encodingType: 'application/pdf', metadata: 'm' }, ObservedProperty: { name: 'o', definition: 'o', description: 'o' } })),
    });
    assert.equal(r.status, 201, r.text);
    const ids = (await sql<{ id: number }>`SELECT id FROM datastreams`.execute(db.kysely)).rows.map((x) => Number(x.id));
    for (const ds of ids) await t.p.sensing.observations.write(Array.from({ length: 2000 }, (_, j) => ({ datastreamId: ds, phenomenonStart: 1.7e12 + j * 60_000, result: j })));
    await sql.raw(db.dialect === 'sqlite' ? 'ANALYZE' : 'ANALYZE observations').execute(db.kysely);
  });

  /** The plan of a one-stream page of Observations as the reader builds it, read deadline included. */
  async function plan(options: Record<string, string>): Promise<string> {
    const db = t.p.db;
    const o = parseQueryOptions(new URLSearchParams(options));
    const where = whereOf(db, Obs, [sql`e.datastream_id = ${1}`], o, deadlineFrom(60_000));
    const range = leadingKeyRange(db, Obs, o);
    const q = sql`SELECT e.id FROM observations AS e WHERE ${range ? sql`${where} AND ${range}` : where} ORDER BY ${orderOf(db, Obs, o)} ${limitOffset(2, 0)}`;
    const explain = sql`EXPLAIN ${db.dialect === 'sqlite' ? sql.raw('QUERY PLAN ') : sql``}${q}`;
    const rows = (await explain.execute(db.kysely)).rows as Record<string, unknown>[];
    return rows.map((x) => String(x.detail ?? x['QUERY PLAN'])).join('\n');
  }

  test('newest first reads the (stream, time) index and sorts at most ties', async () => {
    const p = await plan({ $orderby: 'phenomenonTime desc', $top: '1' });
    if (t.p.db.dialect === 'sqlite') {
      assert.match(p, /observations_ds_time/, p);
      assert.doesNotMatch(p, /USE TEMP B-TREE FOR ORDER BY/, p); // only "FOR LAST n TERMS"
    } else {
      assert.match(p, /Index Scan Backward using observations_ds_time/, p);
      assert.match(p, /Presorted Key: (e\.)?phenomenon_time_start/, p);
    }
  });

  test('the default order reads the (stream, id) index without sorting', async () => {
    const p = await plan({ $top: '1' });
    assert.match(p, /observations_ds_id/, p);
    assert.doesNotMatch(p, /TEMP B-TREE|Sort/, p);
  });
});

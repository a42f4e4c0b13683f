// A large CreateObservations does not hold the event loop for all of its rows (SQLite inserts and
// the change hub's delivery go in slices), and what it wrote is still delivered whole and in order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachBackend } from '../testing/platform.ts';
import type { Change } from './changes.ts';

const ROWS = 30_000;

forEachBackend((t) => {
  test(`CreateObservations of ${ROWS} rows: the event loop turns meanwhile; ids ascend; every change is delivered once, in order`, async () => {
    const r = await t.api('POST', '/v1.1/Things', {
      name: 'bulk', description: 'd', Locations: [{ name: 'l', description: 'l', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.7, 10] } }],
      Datastreams: [{ name: 'x', description: 'd', observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement', unitOfMeasurement: {},
        Sensor: { name: 's', description: 's', encodingType: 'text/plain', metadata: 'm' }, ObservedProperty: { name: 'o', definition: 'o', description: 'o' } }],
    });
    const thing = (r.body as { '@iot.id': number })['@iot.id'];
    const ds = ((await t.api('GET', `/v1.1/Things(${thing})/Datastreams?$select=id`)).body as { value: { '@iot.id': number }[] }).value[0]!['@iot.id'];
    await t.p.ingest.hub.idle();
    const delivered: number[][] = [];
    t.p.ingest.hub.onDeliver((batch: Change[]) => void delivered.push(batch.filter((c) => c.e === 'Observation').map((c) => c.id)));

    const body = [{ Datastream: { '@iot.id': ds }, components: ['phenomenonTime', 'result'], dataArray: Array.from({ length: ROWS }, (_, k) => [new Date(Date.UTC(2025, 0, 1) + k * 60_000).toISOString(), k / 10]) }];
    // The SQLite inserts, each noted with the event-loop turn it ran in.
    const writer = t.p.sensing.observations as unknown as { insertSqlite(tuples: unknown[]): number[] };
    const insert = writer.insertSqlite;
    const insertTurns: number[] = [];
    writer.insertSqlite = function (tuples) {
      insertTurns.push(turns);
      return insert.call(this, tuples);
    };
    let turns = 0;
    let done = false;
    const req = t.api('POST', '/v1.1/CreateObservations', body).then((x) => {
      done = true;
      return x;
    });
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      turns++;
    }
    const res = await req;
    writer.insertSqlite = insert;
    assert.equal(res.status, 201, res.text);
    if (t.backend.dialect === 'sqlite') assert.deepEqual(insertTurns.length === 3 && new Set(insertTurns).size, 3, `three slices of 10,000, each in its own turn of the event loop (${insertTurns})`);
    const ids = (res.body as string[]).map((l) => Number(/Observations\((\d+)\)$/.exec(l)![1]));
    assert.equal(ids.length, ROWS);
    assert.ok(ids.every((id, k) => k === 0 || id === ids[k - 1]! + 1), 'consecutive ids in input order');

    await t.p.ingest.hub.idle();
    assert.ok(delivered.length >= ROWS / 5_000, `delivered in slices (${delivered.length})`);
    assert.deepEqual(delivered.flat(), ids, 'each once, in order');
    const count = (await t.api('GET', `/v1.1/Datastreams(${ds})/Observations?$count=true&$top=0`)).body as { '@iot.count': number };
    assert.equal(count['@iot.count'], ROWS);
  });
});

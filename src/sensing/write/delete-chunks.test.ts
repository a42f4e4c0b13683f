// A DELETE that cascades over many Observations (entity-updater.ts deleteInChunks): the same result
// on both databases, and on SQLite the event loop runs between the chunks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { forEachBackend } from '../../testing/platform.ts';
import { DELETE_CHUNK } from './entity-updater.ts';

const MEASUREMENT = 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement';
/** Observations of the big stream: three chunks. */
const BIG = 2 * DELETE_CHUNK + 5_000;

forEachBackend((t) => {
  const count = async (where: string) => Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM observations WHERE ${sql.raw(where)}`.execute(t.p.db.kysely)).rows[0]!.n);

  /** A Thing with two Datastreams; the first gets BIG observations, the second 10 (ids in that order). */
  async function thingWithStreams(name: string): Promise<{ thing: number; big: number; small: number }> {
    const stream = (n: string) => ({
      name: n, description: 'd', observationType: MEASUREMENT, unitOfMeasurement: { name: 'm', symbol: 'm', definition: 'm' },
      Sensor: { name: 's', description: 's', encodingType: 'text/plain', metadata: 'm' }, ObservedProperty: { name: `${name}-${n}`, definition: 'o', description: 'o' },
    });
    const r = await t.api('POST', '/v1.1/Things', {
      name, description: 'd', Locations: [{ name: 'l', description: 'l', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.7, 10] } }],
      Datastreams: [stream('big'), stream('small')],
    });
    assert.equal(r.status, 201, r.text);
    const thing = (r.body as { '@iot.id': number })['@iot.id'];
    const ids = ((await t.api('GET', `/v1.1/Things(${thing})/Datastreams?$select=id&$orderby=id`)).body as { value: { '@iot.id': number }[] }).value.map((v) => v['@iot.id']);
    const [big, small] = ids as [number, number];
    await t.p.sensing.observations.write(Array.from({ length: BIG }, (_, k) => ({ datastreamId: big, phenomenonStart: 1.7e12 + k * 60_000, result: k % 100 })));
    await t.p.sensing.observations.write(Array.from({ length: 10 }, (_, k) => ({ datastreamId: small, phenomenonStart: 1.7e12 + k * 60_000, result: k })));
    return { thing, big, small };
  }

  /** Runs `del` and counts the turns of the event loop while it runs. */
  async function turnsDuring(del: Promise<{ status: number; text: string }>): Promise<number> {
    let done = false;
    const r = del.then((x) => {
      done = true;
      return x;
    });
    let turns = 0;
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      turns++;
    }
    const res = await r;
    assert.equal(res.status, 200, res.text);
    return turns;
  }

  test('a Datastream of many Observations goes with all of them, and only them', async () => {
    const { big, small } = await thingWithStreams('ds');
    const turns = await turnsDuring(t.api('DELETE', `/v1.1/Datastreams(${big})`));
    if (t.backend.dialect === 'sqlite') assert.ok(turns >= 2, `the event loop turned between the chunks (${turns} turns)`);
    assert.equal(await count(`datastream_id = ${big}`), 0);
    assert.equal(await count(`datastream_id = ${small}`), 10);
    assert.equal((await t.api('GET', `/v1.1/Datastreams(${big})`)).status, 404);
  });

  test('a Thing goes with its Datastreams and their Observations', async () => {
    const { thing, big, small } = await thingWithStreams('thing');
    const other = await thingWithStreams('other');
    await turnsDuring(t.api('DELETE', `/v1.1/Things(${thing})`));
    assert.equal(await count(`datastream_id IN (${big}, ${small})`), 0);
    assert.equal(await count(`datastream_id = ${other.big}`), BIG);
    assert.equal((await t.api('GET', `/v1.1/Datastreams(${small})`)).status, 404);
  });

  test('a FeatureOfInterest goes with its Observations, and the streams are counted again', async () => {
    const { big, small } = await thingWithStreams('foi');
    const foi = Number((await sql<{ f: number }>`SELECT feature_of_interest_id AS f FROM observations WHERE datastream_id = ${big} LIMIT 1`.execute(t.p.db.kysely)).rows[0]!.f);
    await turnsDuring(t.api('DELETE', `/v1.1/FeaturesOfInterest(${foi})`));
    assert.equal(await count(`feature_of_interest_id = ${foi}`), 0);
    for (const ds of [big, small]) {
      const r = await t.api('GET', `/v1.1/Datastreams(${ds})/Observations?$count=true&$top=0`);
      assert.equal((r.body as { '@iot.count': number })['@iot.count'], 0, 'the counter was rebuilt');
      const agg = await t.api('GET', `/v1.1/Datastreams(${ds})/Aggregate?interval=1d&from=2023-11-14T00:00:00Z&to=2023-12-14T00:00:00Z`);
      assert.equal(agg.status, 200, agg.text);
      assert.deepEqual((agg.body as { value: unknown[] }).value, [], 'no rollup is left');
    }
  });
});

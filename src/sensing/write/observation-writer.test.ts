// Property test of the observation write path: batches of any size and any mix of optional
// values (so multi-row statements of several shapes and sizes) give each input row its own id, store
// exactly its values, and keep the stream counters and hourly rollups equal to the raw rows.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { forEachBackend } from '../../testing/platform.ts';
import type { ObservationInput } from './observation-writer.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const unit = { name: 'm', symbol: 'm', definition: 'm' };
const sensor = { name: 's', description: 's', encodingType: 'application/pdf', metadata: 'm' };
const prop = (name: string) => ({ name, definition: name, description: name });

forEachBackend((t) => {
  let ds: number[] = [];
  let mds = 0;
  let foi = 0;

  before(async () => {
    const r = await t.api('POST', '/v1.1/Things', {
      name: 'w', description: 'w',
      Locations: [{ name: 'l', description: 'l', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.7, 10] } }],
      Datastreams: ['a', 'b'].map((n) => ({ name: n, description: n, observationType: 'x', unitOfMeasurement: unit, Sensor: sensor, ObservedProperty: prop(`op-${n}`) })),
      MultiDatastreams: [{
        name: 'm', description: 'm', observationType: 'x', multiObservationDataTypes: ['x', 'y'], unitOfMeasurements: [unit, unit], Sensor: sensor,
        ObservedProperties: [prop('op-x'), prop('op-y')],
      }],
    });
    assert.equal(r.status, 201, r.text);
    const thing = (r.body as { '@iot.id': number })['@iot.id'];
    ds = ((await t.api('GET', `/v1.1/Things(${thing})/Datastreams?$orderby=id`)).body as { value: { '@iot.id': number }[] }).value.map((d) => d['@iot.id']);
    mds = ((await t.api('GET', `/v1.1/Things(${thing})/MultiDatastreams`)).body as { value: { '@iot.id': number }[] }).value[0]!['@iot.id'];
    const [first] = await t.p.sensing.observations.write([{ datastreamId: ds[0]!, phenomenonStart: T0, result: 1 }]);
    foi = Number((await sql<{ f: number }>`SELECT feature_of_interest_id AS f FROM observations WHERE id = ${first}`.execute(t.p.db.kysely)).rows[0]!.f);
  });

  const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });
  const time = fc.integer({ min: 0, max: 5 * 86_400_000 }).map((x) => T0 + x);
  const row = fc.record({
    stream: fc.integer({ min: 0, max: 2 }),
    ps: time,
    pe: maybe(fc.integer({ min: 0, max: 3_600_000 })),
    rt: maybe(time),
    result: fc.oneof(fc.integer({ min: -1e8, max: 1e8 }).map((x) => x / 100), fc.integer(), fc.string({ maxLength: 8 }), fc.boolean(), fc.constant({ k: [1, 'x'] })),
    rq: maybe(fc.constantFrom('good', { flag: 3 })),
    valid: maybe(fc.tuple(time, fc.integer({ min: 0, max: 86_400_000 }))),
    params: maybe(fc.constant({ p: 1 })),
    ownFoi: fc.boolean(),
  });

  test('ids, stored values, stream counters and rollups of random batches', async () => {
    const seed = Number(process.env.PROPERTY_SEED ?? Date.now() % 1_000_000);
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 300 }), async (rows) => {
        const batch: ObservationInput[] = rows.map((r) => ({
          ...(r.stream === 2 ? { multiDatastreamId: mds, result: [r.result, 1] } : { datastreamId: ds[r.stream]!, result: r.result }),
          phenomenonStart: r.ps,
          phenomenonEnd: r.pe === undefined ? null : r.ps + r.pe,
          resultTime: r.rt ?? null,
          resultQuality: r.rq,
          validStart: r.valid ? r.valid[0] : null,
          validEnd: r.valid ? r.valid[0] + r.valid[1] : null,
          parameters: r.params,
          featureOfInterestId: r.ownFoi ? foi : undefined,
        }));
        const ids = await t.p.sensing.observations.write(batch);
        assert.equal(ids.length, batch.length);
        assert.equal(new Set(ids).size, ids.length);
        const stored = (await sql<Record<string, unknown>>`SELECT * FROM observations WHERE id IN (${sql.join(ids)})`.execute(t.p.db.kysely)).rows;
        const byId = new Map(stored.map((s) => [Number(s.id), s]));
        batch.forEach((o, i) => {
          const s = byId.get(ids[i]!);
          assert.ok(s, `row ${i} (id ${ids[i]}) not stored`);
          const r = o.result;
          const num = typeof r === 'number' && Number.isFinite(r) ? r : null;
          const json = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'string' ? JSON.parse(v) : v);
          const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
          assert.deepEqual(
            [n(s.phenomenon_time_start), n(s.phenomenon_time_end), n(s.result_time), n(s.result_num), s.result_str ?? null, json(s.result_json), json(s.result_quality),
              n(s.valid_time_start), n(s.valid_time_end), json(s.parameters), n(s.datastream_id), n(s.multi_datastream_id), n(s.feature_of_interest_id)],
            [o.phenomenonStart, o.phenomenonEnd ?? null, o.resultTime ?? null, num, typeof r === 'string' ? r : null, num === null && typeof r !== 'string' ? r : null, o.resultQuality ?? null,
              o.validStart ?? null, o.validEnd ?? null, o.parameters ?? null, o.datastreamId ?? null, o.multiDatastreamId ?? null, foi],
            `row ${i} of ${batch.length}`,
          );
        });
      }),
      { numRuns: 25, seed },
    );
    // Counters and time ranges on the stream rows equal the raw rows.
    for (const [table, col] of [['datastreams', 'datastream_id'], ['multi_datastreams', 'multi_datastream_id']] as const) {
      const got = (await sql<Record<string, unknown>>`SELECT s.id, s.obs_count AS n, s.phenomenon_time_start AS ps, s.phenomenon_time_end AS pe, s.result_time_start AS rs, s.result_time_end AS re
        FROM ${sql.table(table)} s ORDER BY s.id`.execute(t.p.db.kysely)).rows;
      const want = (await sql<Record<string, unknown>>`SELECT s.id, COUNT(o.id) AS n, MIN(o.phenomenon_time_start) AS ps, MAX(COALESCE(o.phenomenon_time_end, o.phenomenon_time_start)) AS pe,
        MIN(o.result_time) AS rs, MAX(o.result_time) AS re FROM ${sql.table(table)} s LEFT JOIN observations o ON o.${sql.ref(col)} = s.id GROUP BY s.id ORDER BY s.id`.execute(t.p.db.kysely)).rows;
      const norm = (rows: Record<string, unknown>[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : Number(v)])));
      assert.deepEqual(norm(got), norm(want), table);
    }
    // Rollups equal the raw numeric rows per hour.
    const roll = (await sql<Record<string, unknown>>`SELECT datastream_id AS d, bucket AS b, n, min, max, first_t AS ft, last_t AS lt FROM observation_rollups ORDER BY d, b`.execute(t.p.db.kysely)).rows;
    const raw = (await sql<Record<string, unknown>>`SELECT datastream_id AS d, (phenomenon_time_start / 3600000) * 3600000 AS b, COUNT(*) AS n, MIN(result_num) AS min, MAX(result_num) AS max,
      MIN(phenomenon_time_start) AS ft, MAX(phenomenon_time_start) AS lt FROM observations WHERE datastream_id IS NOT NULL AND result_num IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`.execute(t.p.db.kysely)).rows;
    const norm = (rows: Record<string, unknown>[]) => rows.map((r) => Object.values(r).map(Number));
    assert.deepEqual(norm(roll), norm(raw));
  });
});

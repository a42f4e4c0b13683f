// Property test: after random inserts, PATCHes and DELETEs, the counts and aggregates served from
// rollups equal COUNT(*) and plain SQL aggregation over the raw rows — on every backend.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { forEachBackend } from '../../testing/platform.ts';

const T0 = Date.parse('2025-10-01T00:00:00Z');

forEachBackend((t) => {
  let ds = 0;
  before(async () => {
    const r = await t.api('POST', '/v1.1/Things', {
      name: 'p', description: 'p',
      Locations: [{ name: 'l', description: 'l', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.7, 10] } }],
      Datastreams: [{ name: 'd', description: 'd', observationType: 'x', unitOfMeasurement: { name: 'm', symbol: 'm', definition: 'm' },
        Sensor: { name: 's', description: 's', encodingType: 'application/pdf', metadata: 'm' }, ObservedProperty: { name: 'o', definition: 'o', description: 'o' } }],
    });
    const thing = (r.body as { '@iot.id': number })['@iot.id'];
    ds = ((await t.api('GET', `/v1.1/Things(${thing})/Datastreams`)).body as { value: { '@iot.id': number }[] }).value[0]!['@iot.id'];
  });

  test('rollup aggregates and $count equal raw SQL after random writes', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('insert' as const), rows: fc.array(fc.tuple(fc.integer({ min: 0, max: 3 * 86_400 }), fc.integer({ min: -1000, max: 1000 })), { minLength: 1, maxLength: 30 }) }),
      fc.record({ kind: fc.constant('patch' as const), pick: fc.nat(), t: fc.integer({ min: 0, max: 3 * 86_400 }), v: fc.integer({ min: -1000, max: 1000 }) }),
      fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
    );
    const seed = Number(process.env.PROPERTY_SEED ?? Date.now() % 1_000_000);
    process.stdout.write(`# property seed ${seed}\n`);
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
       try {
        for (const o of ops) {
          const ids = (await sql<{ id: number }>`SELECT id FROM observations WHERE datastream_id = ${ds} ORDER BY id`.execute(t.p.db.kysely)).rows.map((r) => Number(r.id));
          if (o.kind === 'insert') {
            const body = [{ Datastream: { '@iot.id': ds }, components: ['phenomenonTime', 'result'], dataArray: o.rows.map(([s, v]) => [new Date(T0 + s * 1000).toISOString(), v / 8]) }];
            assert.equal((await t.api('POST', '/v1.1/CreateObservations', body)).status, 201);
          } else if (ids.length && o.kind === 'patch') {
            const id = ids[o.pick % ids.length];
            const r = await t.api('PATCH', `/v1.1/Observations(${id})`, { phenomenonTime: new Date(T0 + o.t * 1000).toISOString(), result: o.v / 4 });
            assert.equal(r.status, 200, r.text);
          } else if (ids.length && o.kind === 'delete') {
            assert.equal((await t.api('DELETE', `/v1.1/Observations(${ids[o.pick % ids.length]})`)).status, 200);
          }
        }
        const raw = (await sql<{ n: number }>`SELECT COUNT(*) AS n FROM observations WHERE datastream_id = ${ds}`.execute(t.p.db.kysely)).rows[0]!;
        const counted = (await t.api('GET', `/v1.1/Datastreams(${ds})/Observations?$count=true&$top=0`)).body as { '@iot.count': number };
        assert.equal(counted['@iot.count'], Number(raw.n));
        for (const interval of ['1h', '1d', '15m']) {
          const agg = (await t.api('GET', `/v1.1/Datastreams(${ds})/Aggregate?interval=${interval}&from=2025-09-30T00:00:00Z&to=2025-10-05T00:00:00Z`)).body as { value: Record<string, number | string>[] };
          const width = interval === '1h' ? 3_600_000 : interval === '1d' ? 86_400_000 : 900_000;
          const off = 7 * 3_600_000;
          const expected = (await sql<{ b: number; n: number; s: number; mn: number; mx: number }>`SELECT ((phenomenon_time_start + ${sql.lit(off)}) / ${sql.lit(width)}) AS b, COUNT(*) AS n, SUM(result_num) AS s, MIN(result_num) AS mn, MAX(result_num) AS mx
            FROM observations WHERE datastream_id = ${ds} GROUP BY ((phenomenon_time_start + ${sql.lit(off)}) / ${sql.lit(width)}) ORDER BY b`.execute(t.p.db.kysely)).rows;
          assert.equal(agg.value.length, expected.length, `${interval} bucket count`);
          expected.forEach((e, i) => {
            const a = agg.value[i]!;
            assert.equal(a.count, Number(e.n));
            assert.ok(Math.abs((a.sum as number) - Number(e.s)) < 1e-6, `${interval} sum`);
            assert.equal(a.min, Number(e.mn));
            assert.equal(a.max, Number(e.mx));
          });
        }
       } catch (e) {
         process.stdout.write(`# failure: ${(e as Error).message}\n`);
         throw e;
       }
      }),
      { numRuns: 15, seed, verbose: true },
    );
  });
});

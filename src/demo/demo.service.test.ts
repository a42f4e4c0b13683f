import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { forEachBackend } from '../testing/platform.ts';
import { startDemo } from './demo.service.ts';
import { backfillObservationCount, DEMO_NETWORK } from './network.ts';

forEachBackend(
  (t) => {
    test('demo seeds the network once, back-fills, and a second start duplicates nothing', async () => {
      const now = Date.parse('2025-10-15T00:00:00Z');
      const first = await startDemo(t.p, { simulate: false, now: () => now });
      assert.ok(first.adminKey && first.adminKey.length > 20, 'an admin key on the first start');
      // The back-fill runs in the background: requests to the server are served between its batches.
      let done = false;
      void first.backfilled.then(() => (done = true));
      let turns = 0;
      for (; !done; turns++) await new Promise((resolve) => setImmediate(resolve));
      assert.ok(turns >= 2, `the event loop turned between the back-fill's batches (${turns} turns)`);
      await first.backfilled;
      const things = Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM things`.execute(t.p.db.kysely)).rows[0]!.n);
      assert.equal(things, DEMO_NETWORK.length);
      const obs = Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM observations`.execute(t.p.db.kysely)).rows[0]!.n);
      const expected = backfillObservationCount(1);
      assert.ok(Math.abs(obs - expected) <= 40, `back-fill wrote ${obs}, expected about ${expected}`);

      const second = await startDemo(t.p, { simulate: false, now: () => now + 3_600_000 });
      assert.equal(second.adminKey, null, 'the key is shown only once');
      await second.backfilled;
      const things2 = Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM things`.execute(t.p.db.kysely)).rows[0]!.n);
      assert.equal(things2, things);
      const dup = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM (SELECT datastream_id, phenomenon_time_start FROM observations GROUP BY datastream_id, phenomenon_time_start HAVING COUNT(*) > 1) x`.execute(t.p.db.kysely);
      assert.equal(Number(dup.rows[0]!.n), 0, 'no observation written twice');
      const obs2 = Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM observations`.execute(t.p.db.kysely)).rows[0]!.n);
      assert.ok(obs2 > obs, 'the second start continues from where data ends');
      // The water level station is there with its Vietnamese name and keeps its thresholds.
      const r = await t.api('GET', "/v1.1/Datastreams?$top=100&$select=id,name,properties", undefined, { key: null });
      const names = (r.body as { value: { name: string }[] }).value.map((d) => d.name);
      assert.ok(names.some((n) => /Mực nước/i.test(n)), names.join(', '));
    });

    test('what the simulator adds after the back-fill is announced (MQTT subscribers, live push); the back-fill is not', async () => {
      let now = Date.parse('2025-10-15T03:00:00Z');
      const created: number[] = [];
      t.p.sensing.onChange((entity, id, kind) => {
        if (entity === 'Observation' && kind === 'create') created.push(id);
      });
      const demo = await startDemo(t.p, { simulate: true, now: () => now, tickMs: 20 });
      try {
        await demo.backfilled;
        const backfillEnd = Number((await sql<{ n: number }>`SELECT MAX(id) AS n FROM observations`.execute(t.p.db.kysely)).rows[0]!.n);
        assert.equal(created.length, 0, 'the back-fill is history: nothing announced');
        now += 30 * 60_000;
        for (const deadline = Date.now() + 10_000; created.length === 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
        assert.ok(created.length > 0, 'the simulated half hour was announced');
        assert.ok(created.every((id) => id > backfillEnd));
        const stored = await t.api('GET', `/v1.1/Observations(${created[0]})?$select=phenomenonTime`, undefined, { key: null });
        assert.equal(stored.status, 200);
        const pt = (stored.body as { phenomenonTime: string }).phenomenonTime;
        assert.ok(Date.parse(pt) >= now - 30 * 60_000, pt);
      } finally {
        demo.stop();
      }
    });
  },
  { CANTHO_DEMO_DAYS: '1' },
);

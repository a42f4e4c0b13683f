/** The group-commit writer: shared transactions, failures isolated per submission, a bounded queue. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { isAppError } from '../core/errors.ts';
import { forEachBackend } from '../testing/platform.ts';
import { GroupCommit } from './group-commit.ts';
import { countOf, type Network, seedNetwork } from './testing.ts';

forEachBackend((t) => {
  let net: Network;
  before(async () => {
    net = await seedNetwork(t, 'gc-1');
  });

  test('concurrent submissions share transactions and each gets its own ids, after commit', async () => {
    const gc = new GroupCommit(t.p.db, t.p.sensing.observations, t.p.ingest.metrics);
    const before = await countOf(t, net.waterLevel);
    const units = Array.from({ length: 300 }, (_, i) => [{ datastreamId: net.waterLevel, phenomenonStart: Date.UTC(2025, 0, 1) + i * 1000, result: i }]);
    const commits0 = (await t.p.ingest.metrics.batchSize.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
    const ids = await Promise.all(units.map((u) => gc.submit(u)));
    const commits = ((await t.p.ingest.metrics.batchSize.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0) - commits0;
    assert.equal(await countOf(t, net.waterLevel), before + 300);
    assert.equal(new Set(ids.flat()).size, 300);
    assert.ok(commits < 300 / 4, `300 submissions in ${commits} transactions`);
    const o = (await t.api('GET', `/v1.1/Observations(${ids[7]![0]})`)).body as { result: number };
    assert.equal(o.result, 7, 'ids map back to their submissions');
    await gc.close();
  });

  test('a bad submission fails alone; the others of its group are written', async () => {
    const gc = new GroupCommit(t.p.db, t.p.sensing.observations, t.p.ingest.metrics);
    const before = await countOf(t, net.salinity);
    const good = (v: number) => [{ datastreamId: net.salinity, phenomenonStart: Date.now(), result: v }];
    const results = await Promise.allSettled([gc.submit(good(1)), gc.submit(good(2)), gc.submit([...good(3), { datastreamId: 987654, phenomenonStart: Date.now(), result: 0, featureOfInterestId: 1 }]), gc.submit(good(4))]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const err = (results[2] as PromiseRejectedResult).reason;
    assert.ok(isAppError(err) && err.code === 'INVALID_ENTITY', String(err));
    assert.equal(await countOf(t, net.salinity), before + 3, 'the bad submission wrote nothing, not even its good row');
    await gc.close();
  });

  test('the queue is bounded: submitters wait while it is full', async () => {
    const gc = new GroupCommit(t.p.db, t.p.sensing.observations, t.p.ingest.metrics, { maxQueued: 10, maxBatch: 4 });
    let peak = 0;
    const all = Array.from({ length: 60 }, (_, i) => {
      const p = gc.submit([{ datastreamId: net.waterLevel, phenomenonStart: Date.now(), result: i }]);
      peak = Math.max(peak, gc.depth);
      return p;
    });
    assert.ok(peak <= 10, `peak queue ${peak}`);
    assert.equal((await Promise.all(all)).length, 60);
    assert.equal(gc.depth, 0);
    await gc.close();
    await assert.rejects(gc.submit([{ datastreamId: net.waterLevel, phenomenonStart: 0, result: 1 }]), /closed/);
  });
});

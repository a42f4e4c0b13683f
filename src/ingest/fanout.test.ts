/**
 * The JetStream fan-out against a real nats-server of our own (a free port, a store in a temporary
 * folder), so that it can be killed and started again: two nodes see each other's changes exactly
 * once and in order across a NATS restart, what waits for NATS is bounded, and a NATS without
 * JetStream is refused with a clear message.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pino from 'pino';
import type { Change } from './changes.ts';
import { NatsFanout } from './fanout.ts';
import { natsServer, natsServerMissing, sleep } from './testing.ts';

const skip = natsServerMissing();
if (skip) console.log(`# NOTICE: NATS fan-out tests skipped: ${skip}`);
const logger = pino({ level: 'silent' });

const change = (id: number): Change => ({ e: 'Observation', id, k: 'create' });

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('two nodes see each other’s changes exactly once and in order, across a kill -9 and restart of NATS', { skip, timeout: 90_000 }, async () => {
  const nats = await natsServer();
  const subject = 'cantho.changes.fanout_test';
  const got = { a: [] as number[], b: [] as number[] };
  const a = await NatsFanout.connect(nats.url, subject, (batch) => got.a.push(...batch.map((c) => c.id)), logger);
  const b = await NatsFanout.connect(nats.url, subject, (batch) => got.b.push(...batch.map((c) => c.id)), logger);
  after(() => Promise.all([a.close(), b.close()]));

  // Node a commits 1, 2, 3, … and node b 100001, 100002, …, in batches of 50 every 10 ms, and NATS
  // is killed and started again midway: the batches committed meanwhile wait in each node.
  const N = 60;
  const sentA: number[] = [];
  const sentB: number[] = [];
  for (let i = 0; i < N; i++) {
    const ba = Array.from({ length: 50 }, (_, j) => i * 50 + j + 1);
    const bb = ba.map((x) => x + 100_000);
    a.publish(ba.map(change));
    b.publish(bb.map(change));
    sentA.push(...ba);
    sentB.push(...bb);
    if (i === 20) await nats.kill();
    if (i === 40) {
      assert.ok(a.waiting > 0 && b.waiting > 0, 'what is committed while NATS is down waits in the node');
      await nats.start();
    }
    await sleep(10);
  }
  await until(() => got.b.length >= sentA.length && got.a.length >= sentB.length, 60_000, `every change (a got ${got.a.length}, b got ${got.b.length} of ${sentA.length})`);
  await sleep(300);
  // Each node receives only the other's changes (its own it delivers itself), each once, in order.
  assert.deepEqual(got.b, sentA);
  assert.deepEqual(got.a, sentB);
  assert.equal(a.waiting + b.waiting, 0);
});

test('what waits for an unreachable NATS is bounded: the oldest changes are dropped and counted', { skip, timeout: 60_000 }, async () => {
  const nats = await natsServer();
  const subject = 'cantho.changes.bounded_test';
  const got: number[] = [];
  let dropped = 0;
  const a = await NatsFanout.connect(nats.url, subject, () => {}, logger, { maxWaiting: 1_000, onDropped: (n) => (dropped += n) });
  const b = await NatsFanout.connect(nats.url, subject, (batch) => got.push(...batch.map((c) => c.id)), logger);
  after(() => Promise.all([a.close(), b.close()]));
  a.publish([1, 2, 3].map(change));
  await until(() => got.length === 3, 10_000, 'the first changes');
  await nats.kill();
  for (let i = 0; i < 30; i++) a.publish(Array.from({ length: 100 }, (_, j) => change(1_000 + i * 100 + j)));
  assert.ok(a.waiting <= 1_100, `at most the limit waits (and the batch being sent): ${a.waiting}`);
  assert.ok(dropped >= 1_900, `the rest was dropped and counted: ${dropped}`);
  await nats.start();
  await until(() => a.waiting === 0, 30_000, 'the queue to drain');
  await until(() => got.length === 3 + 3_000 - dropped, 30_000, `what was kept (${got.length})`);
  // What arrives is the newest, in order, after the first three.
  assert.deepEqual(got.slice(3), [...got.slice(3)].sort((x, y) => x - y));
  assert.equal(got.at(-1), 3_999);
});

test('a NATS without JetStream is refused with a clear message', { skip, timeout: 30_000 }, async () => {
  const nats = await natsServer(false);
  await assert.rejects(NatsFanout.connect(nats.url, 'cantho.changes.x', () => {}, logger), /has no JetStream.*-js/);
});

test('every node gets the whole stream in one order with its sequences (own changes included), and can read it back', { skip, timeout: 60_000 }, async () => {
  const nats = await natsServer();
  const subject = 'cantho.changes.fanout_history';
  const seen = { a: [] as [number, number[]][], b: [] as [number, number[]][] };
  const ids = (batch: Change[]) => batch.map((c) => c.id);
  const a = await NatsFanout.connect(nats.url, subject, () => {}, logger, { onSequenced: (batch, seq) => seen.a.push([seq, ids(batch)]) });
  const b = await NatsFanout.connect(nats.url, subject, () => {}, logger, { onSequenced: (batch, seq) => seen.b.push([seq, ids(batch)]) });
  after(() => Promise.all([a.close(), b.close()]));
  for (let i = 0; i < 20; i++) (i % 2 ? b : a).publish([change(i * 10 + 1), change(i * 10 + 2)]);
  await until(() => seen.a.length >= 20 && seen.b.length >= 20, 20_000, 'the stream on both nodes');
  assert.deepEqual(seen.a, seen.b, 'one order, the same sequences, on both nodes');
  assert.deepEqual(seen.a.map(([seq]) => seq), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.deepEqual(seen.a.flatMap(([, x]) => x).sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => [i * 10 + 1, i * 10 + 2]).flat());

  const back: [number, number[]][] = [];
  assert.equal(await b.history(5, 12, (batch, seq) => back.push([seq, ids(batch)])), 12);
  assert.deepEqual(back, seen.a.slice(4, 12), 'messages 5 to 12 as delivered');
  assert.equal(await b.history(15, 30, () => {}), null, 'past the end of the stream');
  // A resume reads at most `historyMax` messages: it gets the first ones, and where they end.
  const c = await NatsFanout.connect(nats.url, subject, () => {}, logger, { historyMax: 6 });
  after(() => c.close());
  const part: number[] = [];
  assert.equal(await c.history(3, 20, (_, seq) => part.push(seq)), 8);
  assert.deepEqual(part, [3, 4, 5, 6, 7, 8]);
});

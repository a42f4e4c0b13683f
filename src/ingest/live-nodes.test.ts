/**
 * Live push with several nodes (the NATS fan-out): events carry their place in the stream, a resume
 * on any node holds back what it already had, past the ring reads the stream, and further back the
 * database plus the lower ids the stream still holds. The stream is played by a `History` here;
 * cluster.test.ts runs two real processes over NATS.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachBackend } from '../testing/platform.ts';
import type { Change } from './changes.ts';
import type { History, LiveOptions } from './live.ts';
import { liveHubOfItsOwn, observationChange, sse } from './live-testing.ts';
import { type Network, seedNetwork } from './testing.ts';

forEachBackend(
  (t) => {
    let net: Network;
    before(async () => {
      net = await seedNetwork(t, 'live-nodes');
    });

    const hubOfItsOwn = (opts: LiveOptions = {}) => liveHubOfItsOwn(t, net.waterLevel, opts);

    test('several nodes: events carry their place in the stream; a resume holds back what a node further on sent, and past the ring reads the stream', async () => {
      const { hub, url, close } = await hubOfItsOwn({ capacity: 4 });
      const B = 1e12;
      const changes = (...ids: number[]): Change[] =>
        ids.map((id) => observationChange(net.waterLevel, B + id, id));
      // The NATS stream, as the fan-out would read it back.
      const stream: [Change[], number][] = [];
      const read: [number, number][] = [];
      let broken = false;
      const history: History = {
        history: async (from, to, each) => {
          if (broken) throw new Error('NATS went away');
          read.push([from, to]);
          for (const [batch, seq] of stream) if (seq >= from && seq <= to) each(batch, seq);
          return to;
        },
      };
      hub.sequence(history);
      const feed = (seq: number, ...ids: number[]) => {
        const batch = changes(...ids);
        stream.push([batch, seq]);
        hub.handleSequenced(batch, seq);
      };
      const s = await sse(url);
      hub.handle(changes(99)); // this node's own commit: it comes through the stream, not from here
      feed(1, 1, 2);
      feed(2, 3);
      assert.deepEqual((await s.next(3)).map((e) => e.raw), [`${B + 1}@1.0`, `${B + 2}@1.1`, `${B + 3}@2.0`]);
      await s.close();
      // A client of a node further on had everything up to message 4, index 0; this one is at 2.
      const ahead = await sse(url, { 'last-event-id': `${B + 9}@4.0` });
      feed(3, 4);
      feed(4, 9, 10);
      assert.deepEqual((await ahead.next()).map((e) => e.data.result), [10]);
      await ahead.close();
      // Past the ring (room for 4): what followed message 2 comes from the stream, in its order.
      feed(5, 11, 12, 13, 14, 15);
      const late = await sse(url, { 'last-event-id': `${B + 3}@2.0` });
      assert.deepEqual((await late.next(8)).map((e) => e.data.result), [4, 9, 10, 11, 12, 13, 14, 15]);
      assert.deepEqual(read, [[2, 5]]);
      feed(6, 16);
      assert.deepEqual((await late.next()).map((e) => e.raw), [`${B + 16}@6.0`]);
      assert.equal(await late.settled(), 9, 'nothing twice');
      assert.ok(!late.events.some((e) => e.data.result === 99));
      await late.close();
      // A new client learns where the stream stands (an id without data): the last message handled.
      const quiet = await sse(url);
      assert.equal(await quiet.lastIdBecomes(), `${B + 16}@6.0`);
      assert.equal(quiet.events.length, 0);
      await quiet.close();
      // A node that began to follow the stream after message 5 (its ring empty): a client of another
      // node whose last event is older is behind, and gets the rest from the stream.
      const { hub: fresh, url: freshUrl, close: closeFresh } = await hubOfItsOwn({ capacity: 4 });
      fresh.sequence(history);
      fresh.streamStartedAfter(5);
      const behind = await sse(freshUrl, { 'last-event-id': `${B + 9}@4.0` });
      assert.deepEqual((await behind.next(6)).map((e) => e.data.result), [10, 11, 12, 13, 14, 15]);
      await behind.close();
      await closeFresh();
      // A resume longer than the most one sends (3 here) ends the stream after 3; the client resumes
      // from the last of them, and so on until it has everything, nothing twice and nothing missed.
      const { hub: capped, url: cappedUrl, close: closeCapped } = await hubOfItsOwn({ capacity: 4, replayMax: 3 });
      capped.sequence(history);
      capped.streamStartedAfter(6);
      let from = `${B + 3}@2.0`;
      const got: unknown[] = [];
      for (let round = 0; round < 3; round++) {
        const part = await sse(cappedUrl, { 'last-event-id': from });
        got.push(...(await part.next(3)).map((e) => e.data.result));
        if (round < 2) await part.ended;
        else {
          assert.equal(await part.settled(), 3, 'the last part (all that was left) stays open, live');
        }
        from = part.events.at(-1)!.raw;
        await part.close();
      }
      assert.deepEqual(got, [4, 9, 10, 11, 12, 13, 14, 15, 16]);
      await closeCapped();
      // A resume that fails is not passed over in silence: the server cuts the client off, and it tries again.
      broken = true;
      const failed = await sse(url, { 'last-event-id': `${B + 3}@2.0` });
      const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('the stream did not end')), 3000).unref());
      await Promise.race([failed.ended, timeout]);
      assert.equal(failed.events.length, 0);
      await close();
    });

    test('several nodes, further back than a resume reads of the stream: a lower id another node committed after the last event still comes, the rest from the database', async () => {
      const ids: number[] = [];
      for (const v of [40, 41, 42, 43]) {
        const r = await t.api('POST', `/v1.1/Datastreams(${net.waterLevel})/Observations`, { result: v });
        ids.push(Number(/\((\d+)\)$/.exec(r.headers.location as string)![1]));
      }
      const [a, b, c, d] = ids as [number, number, number, number];
      const obs = (id: number, result: number): Change[] => [observationChange(net.waterLevel, id, result)];
      // The stream as the nodes committed them: b, then another node's a (a lower id), then c and d.
      const stream: [Change[], number][] = [
        [obs(b, 41), 1],
        [obs(a, 40), 2],
        [obs(c, 42), 3],
        [obs(d, 43), 4],
      ];
      const { hub, url, close } = await hubOfItsOwn({ capacity: 2 });
      // A resume may read 2 messages of it here.
      hub.sequence({
        history: async (from, to, each) => {
          const upTo = Math.min(to, from + 1);
          for (const [batch, seq] of stream) if (seq >= from && seq <= upTo) each(batch, seq);
          return upTo;
        },
      });
      hub.streamStartedAfter(4);
      const s = await sse(url, { 'last-event-id': `${b}@1.0` });
      assert.deepEqual((await s.next(3)).map((e) => e.data.result), [40, 42, 43]);
      assert.equal(await s.settled(), 3, 'nothing twice');
      await s.close();
      await close();
    });
  },
  { HOST: '127.0.0.1' },
);

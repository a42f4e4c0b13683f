/**
 * Live push to clients that do not read: what the server holds for them together stays within
 * CANTHO_LIVE_BUFFER (each its share); past its share a client is cut off, while one that reads
 * gets every event.
 */
import assert from 'node:assert/strict';
import { connect as tcp, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { forEachBackend } from '../testing/platform.ts';
import type { Change } from './changes.ts';
import { liveHubOfItsOwn, observationChange, sse } from './live-testing.ts';
import { type Network, seedNetwork } from './testing.ts';

forEachBackend((t) => {
  let net: Network;
  before(async () => {
    net = await seedNetwork(t, 'live-slow');
  });

  test('clients that do not read hold at most the live buffer together, and are cut off past their share; a reader gets everything', async () => {
    const BUFFER = 512 * 1024;
    const { hub, url, close } = await liveHubOfItsOwn(t, net.waterLevel, { buffer: BUFFER });
    after(close);
    const cutBefore = (await t.p.ingest.metrics.liveCutOff.get()).values[0]?.value ?? 0;
    // Four clients that send their request and never read what comes back.
    const { port, pathname, search } = new URL(url);
    const stalled: Socket[] = [];
    for (let i = 0; i < 4; i++) {
      const s = tcp(Number(port), '127.0.0.1');
      s.on('error', () => {});
      s.write(`GET ${pathname}${search} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n`);
      s.pause();
      stalled.push(s);
    }
    after(() => {
      for (const s of stalled) s.destroy();
    });
    const reader = await sse(url);
    after(() => reader.close());
    await new Promise((r) => setTimeout(r, 200));
    const result = 'x'.repeat(400); // ~700-byte events: the sockets' kernel buffers fill sooner
    let id = 2e12;
    const batch = (n: number): Change[] =>
      Array.from({ length: n }, () => observationChange(net.waterLevel, ++id, result));
    // 60,000 events (~42 MB for each client), 50 at a time (35 KB, well within the reader's part)
    // with the event loop turning between: the kernel's buffers of the stalled sockets fill, then
    // the server's.
    let most = 0;
    for (let k = 0; k < 1200; k++) {
      hub.handle(batch(50));
      most = Math.max(most, hub.buffered);
      await new Promise((r) => setImmediate(r));
    }
    // A client is checked before each event it is sent: its share plus one event, at most.
    assert.ok(most <= BUFFER + 5 * 1000, `the server held ${most} bytes for its clients (buffer ${BUFFER})`);
    const cut = ((await t.p.ingest.metrics.liveCutOff.get()).values[0]?.value ?? 0) - cutBefore;
    assert.equal(cut, 4, 'the four that do not read were cut off');
    await reader.next(60_000, 20_000);
    assert.equal(reader.events.length, 60_000);
  });
});

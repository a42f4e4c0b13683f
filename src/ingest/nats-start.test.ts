/**
 * Several nodes, at start: the server listens before it has connected to NATS. What it commits
 * meanwhile must still reach live push (which follows the NATS stream) and the other nodes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachBackend } from '../testing/platform.ts';
import { type NatsServer, natsServer, natsServerMissing, seedNetwork, sleep } from './testing.ts';

const skip = natsServerMissing();
if (skip) console.log(`# NOTICE: NATS start test skipped: ${skip}`);
// Before the platform is made: its configuration names the server.
const nats: NatsServer | undefined = skip ? undefined : await natsServer();

forEachBackend(
  (t) => {
    test('an Observation committed while the node connects to NATS reaches its SSE clients through the stream', { skip, timeout: 30_000 }, async () => {
      await t.p.app.listen({ port: 0, host: '127.0.0.1' });
      const net = await seedNetwork(t, `nats-start-${t.backend.dialect}`);
      const port = (t.p.app.server.address() as { port: number }).port;
      const ac = new AbortController();
      const res = await fetch(`http://127.0.0.1:${port}/api/live?datastreams=${net.waterLevel}`, { signal: ac.signal });
      let text = '';
      const reading = (async () => {
        const dec = new TextDecoder();
        const reader = res.body!.getReader();
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            text += dec.decode(value, { stream: true });
          }
        } catch {
          /* aborted */
        }
      })();
      const starting = t.p.ingest.start();
      // start() is connecting to NATS now; this write commits before it has.
      assert.equal((await t.api('POST', `/v1.1/Datastreams(${net.waterLevel})/Observations`, { result: 4.2 })).status, 201);
      assert.equal((await starting).nats, true);
      for (let i = 0; i < 100 && !text.includes('"result":4.2'); i++) await sleep(50);
      ac.abort();
      await reading;
      assert.match(text, /^id: \d+@\d+\.\d+\nevent: observation\ndata: \{[^\n]*"result":4\.2/m, 'through the stream (its place in it)');
    });
  },
  () => ({ NATS_URL: nats?.url ?? 'nats://127.0.0.1:9', MQTT_ENABLED: 'false', HOST: '127.0.0.1' }),
);

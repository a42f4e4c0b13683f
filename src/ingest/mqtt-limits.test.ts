/** Limits of the embedded broker that need a platform: the topics one client may hold (MQTT_MAX_SUBSCRIPTIONS). */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachBackend } from '../testing/platform.ts';
import { connect, granted, type Network, seedNetwork } from './testing.ts';

forEachBackend(
  (t) => {
    let net: Network;
    let url: string;
    before(async () => {
      await t.p.app.listen({ port: 0, host: '127.0.0.1' });
      url = `mqtt://127.0.0.1:${(await t.p.ingest.start()).mqttPort}`;
      net = await seedNetwork(t, 'limits-1');
    });

    test('a client holds at most MQTT_MAX_SUBSCRIPTIONS topics: one more is refused (0x80), one given back makes room', async () => {
      const refused = async () => ((await t.p.ingest.metrics.subscriptionsRefused.get()).values.find((v) => v.labels.reason === 'too_many')?.value ?? 0);
      const topics = [net.waterLevel, net.salinity, net.pumpOn].map((id) => `v1.1/Datastreams(${id})/Observations`);
      const c = await connect(url);
      assert.deepEqual(await granted(c, topics, 1), [1, 1, 128]);
      assert.equal(await refused(), 1);
      // The same topic again is no new one; another client has a limit of its own.
      assert.deepEqual(await granted(c, topics[0]!, 1), [1]);
      const other = await connect(url);
      assert.deepEqual(await granted(other, topics[2]!, 1), [1]);
      await c.unsubscribeAsync(topics[1]!);
      assert.deepEqual(await granted(c, topics[2]!, 1), [1]);
      // What it holds is delivered.
      const got = new Promise<string>((r) => c.on('message', (topic) => r(topic)));
      await t.api('POST', `/v1.1/Datastreams(${net.pumpOn})/Observations`, { result: true });
      assert.equal(await got, topics[2]);
      await Promise.all([c.endAsync(), other.endAsync()]);
    });
  },
  { MQTT_MAX_SUBSCRIPTIONS: '2' },
);

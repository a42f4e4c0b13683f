/**
 * Bridge mode (MQTT_URL): the Mosquitto at 127.0.0.1:1883 carries the create topics and the
 * notifications; a unique topic prefix per run keeps parallel runs apart.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import pino from 'pino';
import { forEachBackend } from '../testing/platform.ts';
import { wireDeferredAcks } from './bridge.ts';
import { MQTT_CONFORMANCE } from './ingest.ts';
import { collect, connect, countOf, metric, type Network, seedNetwork, sleep } from './testing.ts';

const MOSQUITTO = 'mqtt://127.0.0.1:1883';

async function until(cond: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(25);
  }
}

const prefixes = new Map<string, string>();
const prefixOf = (dialect: string) => {
  if (!prefixes.has(dialect)) prefixes.set(dialect, `cantho-test-${dialect}-${randomBytes(4).toString('hex')}`);
  return prefixes.get(dialect)!;
};

test('the bridge holds at most its window of messages waiting for a commit, and acknowledges each once it is stored', async (t) => {
  const topic = `cantho-test-window-${randomBytes(4).toString('hex')}`;
  const clientId = `${topic}-bridge`;
  // The broker may send 65,535 unacknowledged messages; the bridge takes 4 and leaves the rest there.
  const opts = { protocolVersion: 5 as const, clientId, clean: false, properties: { sessionExpiryInterval: 60, receiveMaximum: 65535 }, reconnectPeriod: 0 };
  const bridge = await mqtt.connectAsync(MOSQUITTO, opts);
  const handled: IPublishPacket[] = [];
  const commits: (() => void)[] = [];
  wireDeferredAcks(bridge, (p) => new Promise<void>((r) => handled.push(p) && commits.push(r)), pino({ level: 'silent' }), 4);
  await bridge.subscribeAsync(topic, { qos: 1 });
  const dev = await connect(MOSQUITTO);
  t.after(() => {
    bridge.end(true);
    dev.end(true);
  });
  for (let i = 0; i < 20; i++) await dev.publishAsync(topic, `m${i}`, { qos: 1 });
  await sleep(300);
  assert.equal(handled.length, 4, 'four messages wait for their commit; the fifth stays with the broker');
  while (handled.length < 20) {
    for (const commit of commits.splice(0)) commit();
    await until(async () => commits.length > 0 || handled.length === 20);
  }
  for (const commit of commits.splice(0)) commit();
  assert.deepEqual(
    handled.map((p) => String(p.payload)),
    Array.from({ length: 20 }, (_, i) => `m${i}`),
    'each message once, in order',
  );
  await sleep(200);
  await bridge.endAsync();
  await dev.endAsync();
  // Everything was acknowledged: the session resumed under the same id gets nothing again.
  const again = mqtt.connect(MOSQUITTO, { ...opts, properties: { sessionExpiryInterval: 0 } });
  const redelivered: string[] = [];
  again.on('message', (_t, m) => redelivered.push(String(m)));
  await new Promise((r) => again.once('connect', r));
  await sleep(300);
  await again.endAsync();
  assert.deepEqual(redelivered, []);
});

forEachBackend(
  (t) => {
    const prefix = () => prefixOf(t.backend.dialect);
    let net: Network;
    let dev: MqttClient;
    before(async () => {
      await t.p.app.listen({ port: 0, host: '127.0.0.1' });
      const started = await t.p.ingest.start();
      assert.equal(started.mqttPort, null, 'no embedded broker in bridge mode');
      assert.equal(started.bridge, MOSQUITTO);
      net = await seedNetwork(t, `${prefix()}-dev`);
      dev = await connect(MOSQUITTO, { clientId: `${prefix()}-dev` });
    });
    after(async () => {
      await dev?.endAsync();
    });

    test('the bridge writes what devices publish to the external broker, once', async () => {
      const root = (await t.api('GET', '/v1.1')).body as { serverSettings: { conformance: string[] } };
      for (const c of MQTT_CONFORMANCE) assert.ok(root.serverSettings.conformance.includes(c));
      const before = await countOf(t, net.waterLevel);
      await dev.publishAsync(`${prefix()}/v1.1/Datastreams(${net.waterLevel})/Observations`, JSON.stringify({ result: 4.2 }), { qos: 1 });
      await dev.publishAsync(`${prefix()}/cantho/v1/devices/${prefix()}-dev/telemetry`, JSON.stringify({ water_level: 4.3, salinity: 0.7 }), { qos: 1 });
      await until(async () => (await countOf(t, net.waterLevel)) === before + 2);
      await sleep(300);
      assert.equal(await countOf(t, net.waterLevel), before + 2, 'our own notifications are not taken for creates');
      assert.equal(await countOf(t, net.salinity), 1);
    });

    test("what the external broker drops at its queue limits shows in a gauge (Mosquitto's $SYS count)", async () => {
      await sleep(500);
      const before = await metric(t, 'cantho_bridge_broker_dropped_messages');
      // A subscriber that never acknowledges, one message in flight: Mosquitto (max_queued_messages
      // 1000 by default) queues a thousand for it and drops the rest, after acknowledging them all.
      const topic = `${prefix()}/stuck`;
      const stuck = await connect(MOSQUITTO, { protocolVersion: 5, clientId: `${prefix()}-stuck`, properties: { receiveMaximum: 1 } });
      stuck.handleMessage = () => {};
      await stuck.subscribeAsync(topic, { qos: 1 });
      await Promise.all(Array.from({ length: 1200 }, (_, i) => dev.publishAsync(topic, String(i), { qos: 1 })));
      // Mosquitto renews its $SYS topics every sys_interval (10 s by default).
      await until(async () => (await metric(t, 'cantho_bridge_broker_dropped_messages')) > before, 15_000);
      stuck.end(true);
    });

    test('changes made here are published on the external broker (§14.2.2 topics)', async () => {
      const sub = await connect(MOSQUITTO);
      const nav = collect(sub, `${prefix()}/v1.1/Datastreams(${net.salinity})/Observations`);
      const things = collect(sub, `${prefix()}/v1.1/Things(${net.thing})/name`);
      await sub.subscribeAsync([`${prefix()}/v1.1/Datastreams(${net.salinity})/Observations`, `${prefix()}/v1.1/Things(${net.thing})/name`], { qos: 1 });
      const r = await t.api('POST', `/v1.1/Datastreams(${net.salinity})/Observations`, { result: 0.9 });
      const msg = (await nav.next()) as Record<string, unknown>;
      assert.equal(msg['@iot.selfLink'], r.headers.location);
      await t.api('PATCH', `/v1.1/Things(${net.thing})`, { name: 'Bridged' });
      assert.deepEqual(await things.next(), { name: 'Bridged' });
      // Private entities never go out to a broker that cannot tell subscribers apart.
      const priv = collect(sub, `${prefix()}/v1.1/Datastreams(${net.privateStream})/Observations`);
      await sub.subscribeAsync(`${prefix()}/v1.1/Datastreams(${net.privateStream})/Observations`);
      await t.api('POST', `/v1.1/Datastreams(${net.privateStream})/Observations`, { result: 1 });
      await sleep(300);
      assert.equal(priv.got.length, 0);
      await sub.endAsync();
    });
  },
  (dialect) => ({ HOST: '127.0.0.1', MQTT_URL: MOSQUITTO, MQTT_TOPIC_PREFIX: prefixOf(dialect), CANTHO_PUBLIC_URL: 'http://cantho.test' }),
);

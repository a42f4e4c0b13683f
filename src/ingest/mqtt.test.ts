/**
 * OGC 18-088 §14 over the embedded Aedes broker: creating Observations by PUBLISH (§14.2.1) and
 * receiving created and updated entities by SUBSCRIBE (§14.2.2), with the API-key rules of HTTP.
 */
import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import { after, before, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import { forEachBackend } from '../testing/platform.ts';
import { MQTT_CONFORMANCE } from './ingest.ts';
import { rawMqtt, reader } from '../testing/mqtt-raw.ts';
import { type Network, collect, connect, countOf, granted, seedNetwork, sleep } from './testing.ts';

forEachBackend(
  (t) => {
    let net: Network;
    let url: string;
    let admin: MqttClient;
    before(async () => {
      await t.p.app.listen({ port: 0, host: '127.0.0.1' });
      const started = await t.p.ingest.start();
      assert.ok(started.mqttPort && started.mqttPort !== 1883, 'port 1883 is Mosquitto here: the next free one is taken');
      assert.equal(started.mqttPortMoved, true);
      url = `mqtt://127.0.0.1:${started.mqttPort}`;
      net = await seedNetwork(t);
      admin = await connect(url, { username: 'admin', password: 'test-admin-key-0123456789abcdef' });
    });
    after(async () => {
      await admin?.endAsync();
    });

    test('the service root lists both MQTT conformance classes once the broker runs', async () => {
      const root = (await t.api('GET', '/v1.1')).body as { serverSettings: { conformance: string[] } };
      for (const c of MQTT_CONFORMANCE) assert.ok(root.serverSettings.conformance.includes(c), c);
    });

    test('§14.2.1: QoS 1 PUBLISH to each create topic is stored before its PUBACK', async () => {
      const before = await countOf(t, net.waterLevel);
      await admin.publishAsync(`v1.1/Datastreams(${net.waterLevel})/Observations`, JSON.stringify({ result: 1.92, phenomenonTime: '2025-10-01T07:00:00+07:00' }), { qos: 1 });
      assert.equal(await countOf(t, net.waterLevel), before + 1, 'committed when PUBACK came back');
      await admin.publishAsync('v1.1/Observations', JSON.stringify({ result: 1.95, Datastream: { '@iot.id': net.waterLevel } }), { qos: 1 });
      const fois = (await t.api('GET', '/v1.1/FeaturesOfInterest')).body as { value: { '@iot.id': number }[] };
      const foi = fois.value[0]!['@iot.id'];
      await admin.publishAsync(`v1.1/FeaturesOfInterest(${foi})/Observations`, JSON.stringify({ result: 1.97, Datastream: { '@iot.id': net.waterLevel } }), { qos: 1 });
      assert.equal(await countOf(t, net.waterLevel), before + 3);
      const last = (await t.api('GET', `/v1.1/Datastreams(${net.waterLevel})/Observations?$orderby=id desc&$top=1`)).body as { value: { result: number }[] };
      assert.equal(last.value[0]!.result, 1.97);
    });

    test('§14.2.2: subscribers of the set and of the navigation collection get the created entity, not the raw payload', async () => {
      const sub = await connect(url);
      const set = collect(sub, 'v1.1/Observations');
      const nav = collect(sub, `v1.1/Datastreams(${net.waterLevel})/Observations`);
      await sub.subscribeAsync(['v1.1/Observations', `v1.1/Datastreams(${net.waterLevel})/Observations`], { qos: 1 });
      await admin.publishAsync(`v1.1/Datastreams(${net.waterLevel})/Observations`, JSON.stringify({ result: 2.01 }), { qos: 1 });
      const msg = (await nav.next()) as Record<string, unknown>;
      assert.equal(typeof msg['@iot.id'], 'number', 'the created entity with its id');
      const http = (await t.api('GET', `/v1.1/Observations(${msg['@iot.id']})`)).body as Record<string, unknown>;
      assert.deepEqual(msg, http, 'the same JSON as GET');
      assert.deepEqual(await set.next(), http);
      // An HTTP POST and a CreateObservations reach MQTT subscribers too.
      await t.api('POST', `/v1.1/Datastreams(${net.waterLevel})/Observations`, { result: 2.02 });
      assert.equal(((await nav.next()) as { result: number }).result, 2.02);
      await t.api('POST', '/v1.1/CreateObservations', [{ Datastream: { '@iot.id': net.waterLevel }, components: ['result'], dataArray: [[2.03], [2.04]] }]);
      assert.equal(((await nav.next()) as { result: number }).result, 2.03);
      assert.equal(((await nav.next()) as { result: number }).result, 2.04);
      await sub.endAsync();
    });

    test('§14.2.2: entity, property and $select topics follow PATCH; property topics only on change', async () => {
      const sub = await connect(url, { password: net.viewerKey });
      const topics = { entity: `v1.1/Things(${net.thing})`, prop: `v1.1/Things(${net.thing})/name`, sel: 'v1.1/Things?$select=name,description', set: 'v1.1/Things', rel: `v1.1/Datastreams(${net.waterLevel})/Thing`, parts: `v1.1/Things(${net.thing})?$select=id,properties/deviceId` };
      const c = Object.fromEntries(Object.entries(topics).map(([k, v]) => [k, collect(sub, v)]));
      assert.deepEqual(await granted(sub, Object.values(topics)), [0, 0, 0, 0, 0, 0]);
      const refused = await granted(sub, ['v1.1/Things?$select=nope', 'v1.1/Things?$select=name/part']);
      assert.deepEqual(refused, [128, 128], 'SUBACK 0x80 for a $select the entity does not have');
      await t.api('PATCH', `/v1.1/Things(${net.thing})`, { name: 'Trạm Ninh Kiều 2' });
      const http = (await t.api('GET', `/v1.1/Things(${net.thing})`)).body as Record<string, unknown>;
      assert.deepEqual(await c.entity!.next(), http);
      assert.deepEqual(await c.set!.next(), http);
      assert.deepEqual(await c.rel!.next(), http);
      assert.deepEqual(await c.prop!.next(), { name: 'Trạm Ninh Kiều 2' });
      assert.deepEqual(await c.sel!.next(), { name: 'Trạm Ninh Kiều 2', description: http.description });
      assert.deepEqual(await c.parts!.next(), { '@iot.id': net.thing, properties: { deviceId: (http.properties as { deviceId: string }).deviceId } });
      await t.api('PATCH', `/v1.1/Things(${net.thing})`, { description: 'changed' });
      await c.entity!.next();
      await sleep(200);
      assert.equal(c.prop!.got.length, 1, 'name did not change: no message on the name topic');
      await sub.endAsync();
    });

    test('§14.2.2: every entity of a deep insert reaches its entity-set topic', async () => {
      const sub = await connect(url, { password: net.viewerKey });
      const ds = collect(sub, 'v1.1/Datastreams');
      const things = collect(sub, 'v1.1/Things');
      await sub.subscribeAsync(['v1.1/Datastreams', 'v1.1/Things']);
      const r = await t.api('POST', '/v1.1/Things', { name: 'Deep', description: 'deep insert', Datastreams: [{ name: 'd', description: 'd', observationType: 'x', unitOfMeasurement: {}, Sensor: { name: 's', description: 's', encodingType: 'text/plain', metadata: 'm' }, ObservedProperty: { name: 'o', definition: 'o', description: 'o' } }] });
      assert.equal(r.status, 201);
      assert.equal(((await things.next()) as { name: string }).name, 'Deep');
      assert.equal(((await ds.next()) as { name: string }).name, 'd');
      await sub.endAsync();
    });

    test('credentials: a bad key is refused at CONNECT; anonymous clients read public data only and never write', async () => {
      const refusedTopics = async () => Number((await t.p.metrics.registry.metrics()).match(/cantho_mqtt_subscriptions_refused_total\{reason="topic"\} (\d+)\n/)?.[1] ?? 0);
      const topicsBefore = await refusedTopics(); // the $select topics of the §14.2.2 test
      await assert.rejects(connect(url, { password: 'not-a-valid-key-at-all-000' }), /Bad username or password|bad/i);
      const anon = await connect(url);
      const qos = await granted(anon, [`v1.1/Things(${net.privateThing})`, `v1.1/Datastreams(${net.privateStream})/Observations`, 'v1.1/Things', '$SYS/#', 'v1.1/#']);
      assert.deepEqual(qos, [128, 128, 0, 128, 128], 'SUBACK 0x80 for private, system and wildcard topics');
      const metrics = await t.p.metrics.registry.metrics();
      assert.match(metrics, /cantho_mqtt_connections_refused_total\{reason="bad_key"\} 1\n/);
      assert.match(metrics, /cantho_mqtt_subscriptions_refused_total\{reason="not_found"\} 2\n/, 'the private Thing and stream');
      assert.equal((await refusedTopics()) - topicsBefore, 2, '$SYS/# and v1.1/#');
      const things = collect(anon, 'v1.1/Things');
      const authed = await connect(url, { password: net.viewerKey });
      const authedThings = collect(authed, 'v1.1/Things');
      await authed.subscribeAsync('v1.1/Things');
      await t.api('PATCH', `/v1.1/Things(${net.privateThing})`, { description: 'secret change' });
      assert.equal(((await authedThings.next()) as { '@iot.id': number })['@iot.id'], net.privateThing);
      await t.api('PATCH', `/v1.1/Things(${net.thing})`, { description: 'public change' });
      assert.equal(((await things.next()) as { '@iot.id': number })['@iot.id'], net.thing, 'the private change never reached the anonymous client');
      const before = await countOf(t, net.waterLevel);
      await anon.publishAsync(`v1.1/Datastreams(${net.waterLevel})/Observations`, JSON.stringify({ result: 9 }), { qos: 1 });
      assert.equal(await countOf(t, net.waterLevel), before, 'acknowledged and dropped');
      assert.ok(anon.connected, 'the anonymous client stays connected');
      await Promise.all([anon.endAsync(), authed.endAsync()]);
    });

    test('a device key writes only into its own Things; bad messages are dropped and the client carries on', async () => {
      const dev = await connect(url, { username: 'ct-001', password: net.deviceKey });
      const before = await countOf(t, net.waterLevel);
      const privBefore = await countOf(t, net.privateStream);
      await dev.publishAsync(`v1.1/Datastreams(${net.privateStream})/Observations`, JSON.stringify({ result: 5 }), { qos: 1 });
      await dev.publishAsync(`v1.1/Datastreams(${net.waterLevel})/Observations`, '{not json', { qos: 1 });
      await dev.publishAsync('v1.1/Datastreams(999999)/Observations', JSON.stringify({ result: 1 }), { qos: 1 });
      await dev.publishAsync(`v1.1/Datastreams(${net.waterLevel})/Observations`, JSON.stringify({ resultt: 1 }), { qos: 1 });
      await dev.publishAsync('cantho/v1/devices/ct-001/telemetry', JSON.stringify({ pump_on: 'yes' }), { qos: 1 });
      // A number as text, into an OM_Measurement: refused on the create topic as on telemetry.
      await dev.publishAsync(`v1.1/Datastreams(${net.waterLevel})/Observations`, JSON.stringify({ result: '1.5' }), { qos: 1 });
      await dev.publishAsync('some/other/topic', 'x', { qos: 1 });
      await dev.publishAsync(`v1.1/Datastreams(${net.waterLevel})/Observations`, JSON.stringify({ result: 1.5 }), { qos: 1 });
      assert.equal(await countOf(t, net.privateStream), privBefore);
      assert.equal(await countOf(t, net.waterLevel), before + 1, 'only the good message');
      const text = await t.p.metrics.registry.metrics();
      for (const reason of ['forbidden', 'malformed', 'unknown_stream', 'invalid', 'topic']) {
        assert.match(text, new RegExp(`cantho_ingest_rejected_total\\{reason="${reason}"\\} [1-9]`), reason);
      }
      assert.match(text, /cantho_ingest_rejected_total\{reason="wrong_type"\} 2\n/, 'the telemetry value and the create topic result');
      assert.match(text, /cantho_ingest_observations_committed_total [1-9]/);
      assert.match(text, /cantho_ingest_commit_seconds_count [1-9]/);
      assert.match(text, /cantho_ingest_queue_depth 0/);
      await dev.endAsync();
    });

    test('telemetry topic: one message, one Observation per Datastream code, ts with offset or epoch ms', async () => {
      const dev = await connect(url, { password: net.deviceKey });
      const nav = collect(admin, `v1.1/Datastreams(${net.salinity})/Observations`);
      await admin.subscribeAsync(`v1.1/Datastreams(${net.salinity})/Observations`);
      await dev.publishAsync('cantho/v1/devices/ct-001/telemetry', JSON.stringify({ ts: '2025-10-01T07:00:00+07:00', water_level: 1.92, salinity: 0.4, unknown_key: 3 }), { qos: 1 });
      const o = (await nav.next()) as { result: number; phenomenonTime: string };
      assert.deepEqual([o.result, o.phenomenonTime], [0.4, '2025-10-01T00:00:00.000Z']);
      await dev.publishAsync(`cantho/v1/devices/${net.thing}/telemetry`, JSON.stringify({ ts: Date.UTC(2025, 9, 1, 1), salinity: 0.5, pump_on: true }), { qos: 1 });
      const p = (await nav.next()) as { result: number; phenomenonTime: string };
      assert.deepEqual([p.result, p.phenomenonTime], [0.5, '2025-10-01T01:00:00.000Z']);
      const pump = (await t.api('GET', `/v1.1/Datastreams(${net.pumpOn})/Observations`)).body as { value: { result: unknown }[] };
      assert.deepEqual(pump.value.map((v) => v.result), [true]);
      await dev.endAsync();
    });

    test('QoS 2: a retransmission (DUP) before the PUBREL is not written twice, and what the broker keeps until then holds no payload', async () => {
      const port = Number(new URL(url).port);
      const s = createConnection(port, '127.0.0.1');
      const read = reader(s);
      s.write(rawMqtt.connect(`qos2-${t.backend.dialect}`, net.deviceKey));
      assert.deepEqual([...(await read(4))], [0x20, 2, 0, 0], 'CONNACK accepted');
      const before = await countOf(t, net.salinity);
      const message = rawMqtt.publish('cantho/v1/devices/ct-001/telemetry', JSON.stringify({ salinity: 0.77 }), 2, 7);
      s.write(message);
      assert.deepEqual([...(await read(4))], [0x50, 2, 0, 7], 'PUBREC');
      s.write(rawMqtt.publish('cantho/v1/devices/ct-001/telemetry', JSON.stringify({ salinity: 0.77 }), 2, 7, true));
      assert.deepEqual([...(await read(4))], [0x50, 2, 0, 7], 'PUBREC again');
      assert.equal(await countOf(t, net.salinity), before + 1, 'written once');
      // Aedes keeps the packet until PUBREL (up to 1,000 a client, anonymous ones too): without its
      // payload, which was handled when it came (4 anonymous clients × 1,000 of 200 KB took 785 MiB).
      const aedes = t.p.ingest.broker!.aedes as unknown as { clients: Record<string, unknown>; persistence: { incomingGetPacket(c: unknown, p: { messageId: number }): Promise<{ payload: Buffer }> } };
      const kept = await aedes.persistence.incomingGetPacket(aedes.clients[`qos2-${t.backend.dialect}`], { messageId: 7 });
      assert.equal(kept.payload.length, 0);
      s.write(rawMqtt.pubrel(7));
      assert.deepEqual([...(await read(4))], [0x70, 2, 0, 7], 'PUBCOMP');
      assert.equal(await countOf(t, net.salinity), before + 1);
      s.destroy();
    });

    test('a persistent session (CleanSession 0) gets what was created while its client was away, also when nobody else follows the topic', async () => {
      const key = { username: 'admin', password: 'test-admin-key-0123456789abcdef' };
      const topic = `v1.1/Datastreams(${net.salinity})/Observations`;
      const first = await connect(url, { ...key, clientId: `persist-${t.backend.dialect}`, clean: false });
      await first.subscribeAsync(topic, { qos: 1 });
      await first.endAsync();
      for (const v of [0.11, 0.12]) await t.api('POST', `/v1.1/Datastreams(${net.salinity})/Observations`, { result: v });
      await t.api('POST', '/v1.1/CreateObservations', [{ Datastream: { '@iot.id': net.salinity }, components: ['result'], dataArray: [[0.13]] }]);
      const back = await connect(url, { ...key, clientId: `persist-${t.backend.dialect}`, clean: false });
      const got = collect(back, topic);
      assert.equal((back as unknown as { connackPacket: { sessionPresent: boolean } }).connackPacket.sessionPresent, true);
      const results = [];
      for (let i = 0; i < 3; i++) results.push(((await got.next()) as { result: number }).result);
      assert.deepEqual(results, [0.11, 0.12, 0.13]);
      await back.endAsync();
    });

    test('MQTT over WebSocket on the HTTP server at /mqtt', async () => {
      const addr = t.p.app.server.address() as { port: number };
      const ws = await connect(`ws://127.0.0.1:${addr.port}/mqtt`, { password: net.deviceKey });
      const before = await countOf(t, net.waterLevel);
      await ws.publishAsync(`v1.1/Datastreams(${net.waterLevel})/Observations`, JSON.stringify({ result: 3.3 }), { qos: 1 });
      assert.equal(await countOf(t, net.waterLevel), before + 1);
      await ws.endAsync();
    });
  },
  { HOST: '127.0.0.1', CANTHO_PUBLIC_URL: 'http://cantho.test' },
);

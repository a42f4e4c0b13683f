/** Port choice of the embedded broker (a set MQTT_PORT that is taken fails fast; unset moves on) and its packet size limit. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { after, test } from 'node:test';
import mqtt from 'mqtt';
import pino from 'pino';
import WebSocket from 'ws';
import { EmbeddedBroker } from './broker.ts';
import { rawMqtt, varint } from '../testing/mqtt-raw.ts';
import { sleep } from './testing.ts';

const hooks = {
  authenticate: async () => 'anonymous' as const,
  publish: async () => {},
  subscribe: async () => false,
  unsubscribe: () => {},
  sessionEnded: () => {},
  sessionDropped: () => {},
  sessionsAway: () => {},
};

test('MQTT_PORT set and taken: a clear error; unset: 1883 or the next free port', async () => {
  const a = new EmbeddedBroker(hooks, pino({ level: 'silent' }));
  const port = await a.start({ port: null, host: '127.0.0.1' });
  assert.ok(port >= 1883 && port <= 1983, String(port));
  const b = new EmbeddedBroker(hooks, pino({ level: 'silent' }));
  await assert.rejects(b.start({ port, host: '127.0.0.1' }), new RegExp(`MQTT_PORT ${port} is already in use`));
  await b.close();
  const c = new EmbeddedBroker(hooks, pino({ level: 'silent' }));
  const next = await c.start({ port: null, host: '127.0.0.1' });
  assert.ok(next > 1883 && next !== port, `moved on to ${next}`);
  await Promise.all([a.close(), c.close()]);
});

/** Resolves when the connection closes; the server's reset of it is expected (events.once would reject on it). */
function closed(e: { on(event: string, f: () => void): unknown }): Promise<void> {
  e.on('error', () => {});
  return new Promise((r) => e.on('close', r));
}

test('a packet above MQTT_MAX_PACKET_SIZE closes its connection once its length is read, before CONNECT is answered too', async () => {
  const refused: (number | null)[] = [];
  const published: number[] = [];
  const http = createHttpServer();
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const b = new EmbeddedBroker(
    { ...hooks, publish: async (_c, _p, packet) => void published.push(packet.payload.length), packetTooLarge: (_c, n) => void refused.push(n) },
    pino({ level: 'silent' }),
  );
  const port = await b.start({ port: 0, host: '127.0.0.1', maxPacketBytes: 1024, http: { server: http, path: '/mqtt' } });
  after(async () => {
    await b.close(http);
    http.close();
  });

  // An anonymous client announces a 100 MB PUBLISH and sends its first 256 KiB: the server closes
  // the connection without waiting for the rest (before, Aedes gathered all of it in memory).
  const s = connect(port, '127.0.0.1');
  s.write(rawMqtt.connect('t'));
  const [connack] = (await once(s, 'data')) as [Buffer];
  assert.deepEqual([...connack], [0x20, 2, 0, 0]);
  s.write(Buffer.concat([Buffer.from([0x32, ...varint(100_000_000)]), Buffer.alloc(256 * 1024)]));
  await closed(s);
  assert.deepEqual(refused, [100_000_000]);

  // The same before CONNECT: a CONNECT of 5 MB.
  const s2 = connect(port, '127.0.0.1');
  s2.write(Buffer.from([0x10, ...varint(5_000_000), 0, 4]));
  await closed(s2);
  assert.deepEqual(refused, [100_000_000, 5_000_000]);

  // Within the limit a publish is handled; over WebSocket a larger packet closes the connection too
  // (mqtt.js sends its header and payload as two messages: the parser sees the length first).
  const small = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  await small.publishAsync('v1.1/Observations', Buffer.alloc(900), { qos: 1 });
  await small.endAsync();
  assert.deepEqual(published, [900]);
  const ws = await mqtt.connectAsync(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/mqtt`, { reconnectPeriod: 0 });
  const wsClosed = closed(ws);
  ws.publish('v1.1/Observations', Buffer.alloc(2000), { qos: 1 });
  await wsClosed;
  ws.end(true);
  assert.deepEqual(refused, [100_000_000, 5_000_000, 2021]);
  // One WebSocket message holding a whole packet past the limit: ws refuses it before MQTT sees it.
  const raw = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/mqtt`, 'mqtt');
  await once(raw, 'open');
  const rawClosed = closed(raw);
  raw.send(rawMqtt.connect('u'));
  raw.send(rawMqtt.publish('x', Buffer.alloc(2994), 0));
  await rawClosed;
  assert.deepEqual(refused, [100_000_000, 5_000_000, 2021, null]);
  assert.deepEqual(published, [900]);
});

test('subscribers that stop reading do not hold up delivery to the others: past their share of the buffer they are disconnected', async () => {
  const cut: number[] = [];
  const b = new EmbeddedBroker({ ...hooks, subscribe: async () => true, cutOff: (_c, unsent) => void cut.push(unsent) }, pino({ level: 'silent' }));
  const port = await b.start({ port: 0, host: '127.0.0.1', buffer: 256 * 1024 });
  after(() => b.close());
  const topic = 'v1.1/Datastreams(1)/Observations';
  // Four clients subscribe at QoS 1 and never read again.
  const stalled = await Promise.all(
    Array.from({ length: 4 }, async (_, i) => {
      const s = connect(port, '127.0.0.1');
      s.on('error', () => {});
      s.write(rawMqtt.connect(`stalled-${i}`));
      s.write(rawMqtt.subscribe(topic, 1));
      await new Promise<void>((r) => s.once('data', () => r()));
      s.pause();
      return s;
    }),
  );
  after(() => {
    for (const s of stalled) s.destroy();
  });
  const reader = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  after(() => reader.endAsync(true));
  let got = 0;
  reader.on('message', () => got++);
  await reader.subscribeAsync(topic, { qos: 1 });
  await sleep(100);
  // 20,000 notifications of 1 KiB (20 MB for each subscriber): Aedes waited for a full socket to
  // drain, so with 100 delivery slots the reader got about 100 before all delivery stopped.
  const payload = Buffer.alloc(1024, 0x61);
  for (let i = 0; i < 20_000; i++) {
    b.publish(topic, payload, 1, false);
    if (i % 20 === 19) await new Promise((r) => setImmediate(r)); // 20 KiB a turn, well within the reader's share
  }
  for (let i = 0; i < 200 && got < 20_000; i++) await sleep(50);
  assert.equal(got, 20_000, 'the reader got every notification');
  assert.equal(cut.length, 4, 'the four that stopped reading were disconnected');
  // The buffer is shared by the clients that are behind: once the other three are gone, the last
  // one's share is all of it. A client is cut at the write that took it past its share.
  const packet = 3 + 2 + topic.length + 2 + payload.length; // fixed header, topic, message id, payload
  assert.ok(Math.max(...cut) <= 256 * 1024 + packet, `each held at most its share unsent, and the message that took it past (${Math.max(...cut)} bytes)`);
});

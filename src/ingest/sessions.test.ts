/**
 * Persistent MQTT sessions (CleanSession = 0) of the embedded broker are bounded: the messages kept
 * for one, how long it outlives its connection, how many are kept while away; an anonymous
 * client's ends when it leaves. Real Aedes and real mqtt.js clients.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import pino from 'pino';
import type { Principal } from '../auth/roles.ts';
import { EmbeddedBroker } from './broker.ts';
import type { SessionLimits } from './sessions.ts';
import { sleep } from './testing.ts';

const KEY = 'a-key';
const principal: Principal = { userId: 1, userName: 'u', keyId: 1, role: 'viewer', thingScope: null };

/** A broker whose subscriptions are all granted, with the sessions' events recorded. */
async function broker(limits: SessionLimits, buffer?: number) {
  const ended: string[] = [];
  let dropped = 0;
  let away = 0;
  let cut = 0;
  const b = new EmbeddedBroker(
    {
      authenticate: async (_c, _u, password) => (password === KEY ? principal : 'anonymous'),
      publish: async () => {},
      subscribe: async () => true,
      unsubscribe: () => {},
      sessionEnded: (id) => ended.push(id),
      sessionDropped: (n) => (dropped += n),
      sessionsAway: (n) => (away = n),
      cutOff: () => cut++,
    },
    pino({ level: 'silent' }),
    limits,
  );
  const port = await b.start({ port: 0, host: '127.0.0.1', buffer });
  after(() => b.close());
  const clients: MqttClient[] = [];
  after(() => Promise.all(clients.map((c) => c.endAsync(true))));
  return {
    b,
    ended,
    get dropped() {
      return dropped;
    },
    get away() {
      return away;
    },
    get cut() {
      return cut;
    },
    /** Connects; the messages it receives are in `got`. */
    async connect(clientId: string, opts: IClientOptions = {}) {
      const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId, clean: false, reconnectPeriod: 0, username: 'u', password: KEY, ...opts });
      clients.push(c);
      const got: string[] = [];
      c.on('message', (_t, payload) => got.push(payload.toString()));
      return { c, got, sessionPresent: !!(c as unknown as { connackPacket?: { sessionPresent?: boolean } }).connackPacket?.sessionPresent };
    },
    /** `n` messages numbered from `from`, each padded to `bytes`. */
    publish(n: number, from = 0, bytes = 0) {
      for (let i = from; i < from + n; i++) b.publish('t', Buffer.from(String(i).padEnd(bytes, ' ')), 1, false);
    },
  };
}

const until = async (cond: () => boolean, what: string, ms = 3000) => {
  for (const end = Date.now() + ms; !cond(); await sleep(20)) if (Date.now() > end) throw new Error(`timed out: ${what}`);
};

test('a persistent session keeps at most maxQueued messages while its client is away; the rest are counted, not kept', async () => {
  const s = await broker({ maxQueued: 3, expiryMs: 60_000, maxAway: 10 });
  const first = await s.connect('p1');
  await first.c.subscribeAsync('t', { qos: 1 });
  await first.c.endAsync();
  await until(() => s.away === 1, 'the session is away');
  s.publish(10);
  await until(() => s.dropped === 7, 'seven not kept');
  const back = await s.connect('p1');
  assert.equal(back.sessionPresent, true);
  await until(() => back.got.length === 3, 'the three kept');
  await sleep(100);
  assert.deepEqual(back.got, ['0', '1', '2']);
  assert.equal(s.away, 0);
  // Back, it gets what comes live, a burst past maxQueued too (sent, though not all kept).
  s.publish(10, 10);
  await until(() => back.got.length === 13, `the live ones (got ${back.got.join(',')})`);
  await sleep(100);
  assert.equal(back.c.connected, true, 'not cut off');
  assert.deepEqual(s.ended, []);
});

test('a persistent session ends expiryMs after its client left: subscriptions and kept messages go', async () => {
  const s = await broker({ maxQueued: 100, expiryMs: 300, maxAway: 10 });
  const first = await s.connect('p2');
  await first.c.subscribeAsync('t', { qos: 1 });
  await first.c.endAsync();
  s.publish(2);
  await until(() => s.ended.includes('p2'), 'expiry');
  assert.equal(s.away, 0);
  s.publish(2, 2);
  const back = await s.connect('p2');
  assert.equal(back.sessionPresent, false, 'no session left');
  await sleep(200);
  assert.deepEqual(back.got, [], 'neither what was kept nor what came after');
});

test('past maxAway sessions away, the one away longest ends; an anonymous client’s ends as it leaves', async () => {
  const s = await broker({ maxQueued: 100, expiryMs: 60_000, maxAway: 2 });
  for (const id of ['a1', 'a2', 'a3']) {
    const c = await s.connect(id);
    await c.c.subscribeAsync('t', { qos: 1 });
    await c.c.endAsync();
    await sleep(50);
  }
  await until(() => s.ended.includes('a1'), 'the oldest ends');
  assert.deepEqual(s.ended, ['a1']);
  assert.equal(s.away, 2);
  const anon = await s.connect('anon', { username: undefined, password: undefined });
  await anon.c.subscribeAsync('t', { qos: 1 });
  await anon.c.endAsync();
  await until(() => s.ended.includes('anon'), 'the anonymous session ends');
  assert.equal(s.away, 2);
  assert.equal((await s.connect('anon', { username: undefined, password: undefined })).sessionPresent, false);
});

test('a new connection with the same id takes the session over; a clean one replaces it', async () => {
  const s = await broker({ maxQueued: 100, expiryMs: 60_000, maxAway: 10 });
  const first = await s.connect('p3');
  await first.c.subscribeAsync('t', { qos: 1 });
  // The same id again while the first is connected (a device back on a new link): the first is closed.
  const second = await s.connect('p3');
  assert.equal(second.sessionPresent, true);
  await sleep(100);
  assert.deepEqual(s.ended, [], 'the session goes on');
  assert.equal(s.away, 0);
  s.publish(1);
  await until(() => second.got.length === 1, 'delivered on the new connection');
  await second.c.endAsync();
  await until(() => s.away === 1, 'away');
  // Back with a clean session: the kept one ends (Aedes dropped its subscriptions).
  await s.connect('p3', { clean: true });
  await until(() => s.ended.includes('p3'), 'replaced');
  assert.equal(s.away, 0);
});

test('a persistent session that comes back over a slow link to more than an equal part of the buffer among all connected clients gets it all: only clients behind share the buffer', async () => {
  const s = await broker({ maxQueued: 1000, expiryMs: 60_000, maxAway: 10 }, 16 * 1024 * 1024);
  // 20 other clients connected (devices that publish and are sent nothing): 16 MiB / 22 = 745 KiB each.
  for (let i = 0; i < 20; i++) await s.connect(`device-${i}`, { clean: true });
  const first = await s.connect('dashboard');
  await first.c.subscribeAsync('t', { qos: 1 });
  await first.c.endAsync();
  await until(() => s.away === 1, 'the session is away');
  s.publish(1000, 0, 8000); // 8 MB kept while it is away
  const back = await s.connect('dashboard');
  // A slow link: for a second nothing is read; the socket takes about 4 MB and the rest waits.
  back.c.stream.pause();
  await sleep(1000);
  back.c.stream.resume();
  await until(() => back.got.length === 1000, `all 1,000 kept messages (got ${back.got.length}, cut off ${s.cut} times)`, 15_000);
  assert.equal(s.cut, 0, 'not cut off');
  assert.deepEqual(
    back.got.map((m) => Number(m)),
    Array.from({ length: 1000 }, (_, i) => i),
  );
});

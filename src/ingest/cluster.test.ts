/**
 * Several nodes: two real `cantho serve` processes share one PostgreSQL schema, the Mosquitto at
 * 127.0.0.1:1883 (bridge mode) and NATS at 127.0.0.1:4222. Every Observation, written through
 * either node by HTTP or through the broker, is stored once and reaches every node's SSE clients
 * and the external broker's subscribers exactly once.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { connect as natsConnect } from 'nats';
import { testBackends } from '../testing/databases.ts';
import { changesSubject, streamName } from './fanout.ts';
import { collect, connect, freePort, natsServer, natsServerMissing, sleep, spawnServer } from './testing.ts';

const pg = testBackends().find((b) => b.dialect === 'postgres');
const ADMIN = 'cluster-admin-key-0123456789abcdef';
const N_HTTP = 100;
const N_MQTT = 100;
const NATS = 'nats://127.0.0.1:4222';

const post = (base: string, path: string, body: unknown) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

/**
 * Two `cantho serve` on the test's PostgreSQL schema (one after the other: the first start creates
 * the schema and the bootstrap key), a Thing with one Datastream made through the first, and an
 * SSE client of that Datastream on each node.
 */
async function twoNodes(env: Record<string, string>, thing: Record<string, unknown> = {}) {
  const db = await pg!.open();
  await db.close();
  after(() => pg!.cleanup());
  const nodes: Awaited<ReturnType<typeof spawnServer>>[] = [];
  after(() => {
    for (const n of nodes) n.child.kill('SIGKILL');
  });
  const ports = [await freePort(), await freePort()];
  for (const p of ports) {
    // Without a bridge each node runs an embedded broker: a port of its own.
    const mqtt: Record<string, string> = env.MQTT_URL ? {} : { MQTT_PORT: String(await freePort()), MQTT_WS_PATH: 'off' };
    nodes.push(await spawnServer({ DATABASE_URL: pg!.url(), CANTHO_PG_SCHEMA: pg!.pgSchema!, CANTHO_BOOTSTRAP_ADMIN_KEY: ADMIN, ...mqtt, ...env, PORT: String(p) }));
  }
  const [a, b] = ports.map((p) => `http://127.0.0.1:${p}`) as [string, string];
  const r = await post(a, '/v1.1/Things', {
    name: 'Cluster',
    description: 'two nodes',
    Locations: [{ name: 'l', description: 'l', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.78, 10.03] } }],
    Datastreams: [{ name: 'd', description: 'd', observationType: 'x', unitOfMeasurement: {}, properties: { code: 'v' }, Sensor: { name: 's', description: 's', encodingType: 'text/plain', metadata: 'm' }, ObservedProperty: { name: 'o', definition: 'o', description: 'o' } }],
    ...thing,
  });
  assert.equal(r.status, 201);
  const ds = ((await (await fetch(`${b}/v1.1/Datastreams`)).json()) as { value: { '@iot.id': number }[] }).value[0]!['@iot.id'];
  const [clientA, clientB] = [resumable(ds), resumable(ds)];
  await clientA.open(a);
  await clientB.open(b);
  const stop = () => Promise.all([clientA.cut(), clientB.cut()]);
  after(stop);
  return { a, b, ds, seenA: clientA.ids, seenB: clientB.ids, stop };
}

test('two nodes, one database, one broker, NATS fan-out: each Observation stored once and seen once everywhere', { skip: pg ? false : 'needs CANTHO_TEST_POSTGRES_URL', timeout: 60_000 }, async () => {
  // The nodes keep their changes in a JetStream stream named after the schema: leave none behind.
  after(async () => {
    const nc = await natsConnect({ servers: NATS });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(streamName(changesSubject(pg!.pgSchema!))).catch(() => {});
    await nc.close();
  });
  const prefix = `cantho-cluster-${randomBytes(4).toString('hex')}`;
  const { a, b, ds, seenA, seenB, stop } = await twoNodes({ MQTT_URL: 'mqtt://127.0.0.1:1883', MQTT_TOPIC_PREFIX: prefix, NATS_URL: NATS }, { properties: { deviceId: `${prefix}-dev` } });
  const sub = await connect('mqtt://127.0.0.1:1883');
  after(() => sub.end(true));
  const topic = `${prefix}/v1.1/Datastreams(${ds})/Observations`;
  const notes = collect(sub, topic);
  await sub.subscribeAsync(topic, { qos: 1 });
  await sleep(200);

  const dev = await connect('mqtt://127.0.0.1:1883', { clientId: `${prefix}-dev` });
  after(() => dev.end(true));
  await Promise.all([
    ...Array.from({ length: N_HTTP }, (_, i) => post(i % 2 ? a : b, `/v1.1/Datastreams(${ds})/Observations`, { result: i }).then(async (x) => assert.equal(x.status, 201, await x.text()))),
    ...Array.from({ length: N_MQTT }, (_, i) => dev.publishAsync(`${prefix}/cantho/v1/devices/${prefix}-dev/telemetry`, JSON.stringify({ v: 1000 + i }), { qos: 1 })),
  ]);
  const total = N_HTTP + N_MQTT;
  const count = async () => ((await (await fetch(`${a}/v1.1/Datastreams(${ds})/Observations?$count=true&$top=0`)).json()) as { '@iot.count': number })['@iot.count'];
  const created = () => notes.got.filter((m) => typeof (m as Record<string, unknown>)['@iot.id'] === 'number');
  for (let i = 0; i < 200 && ((await count()) < total || seenA.length < total || seenB.length < total || created().length < total); i++) await sleep(50);
  await sleep(300);
  assert.equal(await count(), total, 'stored once');
  assert.equal(seenA.length, total, 'node A SSE: every Observation');
  assert.equal(new Set(seenA).size, total, 'node A SSE: none twice');
  assert.equal(seenB.length, total, 'node B SSE: every Observation');
  assert.deepEqual([...seenB].sort(), [...seenA].sort(), 'both nodes saw the same ones');
  const ids = created().map((m) => (m as { '@iot.id': number })['@iot.id']);
  assert.equal(ids.length, total, 'broker subscribers: every Observation');
  assert.equal(new Set(ids).size, total, 'broker subscribers: none twice');
  await Promise.all([stop(), sub.endAsync(), dev.endAsync()]);
});

test('two nodes and a NATS killed with -9 and started again under load: every node’s SSE clients still see every Observation once', { skip: pg ? natsServerMissing() : 'needs CANTHO_TEST_POSTGRES_URL', timeout: 90_000 }, async () => {
  const nats = await natsServer();
  const { a, b, ds, seenA, seenB, stop } = await twoNodes({ NATS_URL: nats.url });
  await sleep(200);

  // 4 writers on each node for 6 s; NATS is killed after 1.5 s and started again 2 s later.
  const stored: number[] = [];
  const end = Date.now() + 6_000;
  const writers = Array.from({ length: 8 }, async (_, w) => {
    for (let i = 0; Date.now() < end; i++) {
      const x = await post(w % 2 ? a : b, `/v1.1/Datastreams(${ds})/Observations`, { result: i });
      assert.equal(x.status, 201, await x.text());
      stored.push(Number(/\((\d+)\)$/.exec(x.headers.get('location')!)![1]));
    }
  });
  const chaos = (async () => {
    await sleep(1_500);
    await nats.kill();
    await sleep(2_000);
    await nats.start();
  })();
  await Promise.all([...writers, chaos]);
  for (let i = 0; i < 400 && (seenA.length < stored.length || seenB.length < stored.length); i++) await sleep(50);
  await sleep(300);
  const want = [...stored].sort((x, y) => x - y);
  assert.ok(want.length > 50, `load ran: ${want.length}`);
  assert.deepEqual([...seenA].sort((x, y) => x - y), want, 'node A SSE: every Observation, once');
  assert.deepEqual([...seenB].sort((x, y) => x - y), want, 'node B SSE: every Observation, once');
  await stop();
});

/**
 * An SSE client that the test cuts off and sends to another node: the Observation ids it got, and
 * its last event id as sent. Cut off by the server, it reconnects to the same node, as EventSource does.
 */
function resumable(ds: number) {
  const ids: number[] = [];
  let last: string | null = null;
  let ac: AbortController | null = null;
  let reading: Promise<void> = Promise.resolve();
  const client = {
    ids,
    get last() {
      return last;
    },
    async open(base: string): Promise<void> {
      const mine = new AbortController();
      ac = mine;
      const res = await fetch(`${base}/api/live?datastreams=${ds}`, { signal: mine.signal, headers: last ? { 'last-event-id': last } : {} });
      assert.equal(res.status, 200);
      reading = (async () => {
        const reader = res.body!.getReader();
        const dec = new TextDecoder();
        let buf = '';
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buf += dec.decode(value, { stream: true });
            for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
              const block = buf.slice(0, i);
              const m = /^id: ((\d+)(?:@\d+\.\d+)?)$/m.exec(block);
              buf = buf.slice(i + 2);
              if (!m) continue;
              // An id without data is where the stream stands (a checkpoint), not an event.
              if (/^data: /m.test(block)) ids.push(Number(m[2]));
              last = m[1]!;
            }
          }
        } catch {
          /* cut off */
        }
        if (!mine.signal.aborted) {
          await sleep(100);
          await client.open(base);
        }
      })();
    },
    async cut() {
      ac?.abort();
      await reading;
    },
  };
  return client;
}

test('two nodes: an SSE client cut off under load resumes on the other node, and past the ring, with every Observation once', { skip: pg ? natsServerMissing() : 'needs CANTHO_TEST_POSTGRES_URL', timeout: 90_000 }, async () => {
  const nats = await natsServer();
  const { a, b, ds, seenA } = await twoNodes({ NATS_URL: nats.url });
  const client = resumable(ds);
  await client.open(a);
  await sleep(200);

  // 4 writers on each node for 3 s; the client moves from A to B after 1 s, and is cut off again at the end.
  const stored: number[] = [];
  const write = async (base: string, i: number) => {
    const x = await post(base, `/v1.1/Datastreams(${ds})/Observations`, { result: i });
    assert.equal(x.status, 201, await x.text());
    stored.push(Number(/\((\d+)\)$/.exec(x.headers.get('location')!)![1]));
  };
  const end = Date.now() + 3_000;
  const writers = Array.from({ length: 8 }, async (_, w) => {
    for (let i = 0; Date.now() < end; i++) await write(w % 2 ? a : b, i);
  });
  const moves = (async () => {
    await sleep(1_000);
    await client.cut();
    assert.ok(client.last, 'events before the cut');
    await sleep(100);
    await client.open(b);
  })();
  await Promise.all([...writers, moves]);
  await sleep(500);
  await client.cut();
  // While it is away, more than the ring's 20,000 events: it resumes on A from the stream itself.
  const rows = Array.from({ length: 25_000 }, (_, i) => [new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(), i]);
  const big = await post(a, '/v1.1/CreateObservations', [{ Datastream: { '@iot.id': ds }, components: ['phenomenonTime', 'result'], dataArray: rows }]);
  const links = await big.text();
  assert.equal(big.status, 201, links);
  for (const link of JSON.parse(links) as string[]) stored.push(Number(/\((\d+)\)$/.exec(link)![1]));
  await write(b, -1);
  // Once A has handed on all of it (its own SSE client has it), the ring no longer reaches back.
  for (let i = 0; i < 400 && seenA.length < stored.length; i++) await sleep(50);
  await client.open(a);
  for (let i = 0; i < 400 && client.ids.length < stored.length; i++) await sleep(50);
  await sleep(300);
  await client.cut();
  const want = [...stored].sort((x, y) => x - y);
  // At least a few writes a node under load (98 in all on this slow machine inside the whole suite).
  assert.ok(want.length >= 25_001 + 20, `load ran: ${want.length}`);
  const got = [...client.ids].sort((x, y) => x - y);
  assert.equal(got.length - new Set(got).size, 0, 'none twice');
  assert.deepEqual(got, want, 'every Observation');
});

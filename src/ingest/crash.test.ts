/**
 * Durability under kill -9 with the default settings (SQLite WAL, synchronous=NORMAL): every
 * Observation whose MQTT PUBACK or HTTP 201 came back is in the database after a crash, over
 * several runs on the same file. The server is the real CLI in a child process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { connect, freePort, sleep, spawnServer } from './testing.ts';

const ADMIN = 'crash-admin-key-0123456789abcdef';
const RUNS = 5;
const dir = mkdtempSync(join(tmpdir(), 'cantho-crash-'));
const file = join(dir, 'crash.db');
after(() => rmSync(dir, { recursive: true, force: true }));

async function seed(port: number): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${port}/v1.1/Things`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Crash',
      description: 'crash test',
      Locations: [{ name: 'l', description: 'l', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.78, 10.03] } }],
      Datastreams: [{ name: 'd', description: 'd', observationType: 'x', unitOfMeasurement: {}, Sensor: { name: 's', description: 's', encodingType: 'text/plain', metadata: 'm' }, ObservedProperty: { name: 'o', definition: 'o', description: 'o' } }],
    }),
  });
  assert.equal(r.status, 201);
  const ds = (await (await fetch(`http://127.0.0.1:${port}/v1.1/Datastreams`)).json()) as { value: { '@iot.id': number }[] };
  return ds.value[0]!['@iot.id'];
}

test(`every acknowledged Observation survives kill -9 (${RUNS} runs, MQTT QoS 1 and HTTP POST)`, { timeout: 90_000 }, async () => {
  let ds = 0;
  const acked: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const port = await freePort();
    const mqttPort = await freePort();
    const srv = await spawnServer({ DATABASE_URL: file, PORT: String(port), MQTT_PORT: String(mqttPort), CANTHO_BOOTSTRAP_ADMIN_KEY: ADMIN });
    if (run === 0) ds = await seed(port);
    let stop = false;
    const base = (run + 1) * 1_000_000;
    // Publishers: 4 MQTT clients with 20 messages in flight each, and 4 HTTP posters.
    const clients: import('mqtt').MqttClient[] = [];
    const mqttWork = Array.from({ length: 4 }, async (_, w) => {
      const c = await connect(`mqtt://127.0.0.1:${mqttPort}`, { username: 'crash', password: ADMIN });
      clients.push(c);
      c.on('error', () => {});
      let seq = 0;
      const one = async () => {
        while (!stop) {
          const v = base + w * 100_000 + seq++;
          try {
            await c.publishAsync(`v1.1/Datastreams(${ds})/Observations`, JSON.stringify({ result: v }), { qos: 1 });
            acked.push(v);
          } catch {
            return;
          }
        }
      };
      await Promise.all(Array.from({ length: 20 }, one));
    });
    const httpWork = Array.from({ length: 4 }, async (_, w) => {
      let seq = 0;
      while (!stop) {
        const v = base + 500_000 + w * 100_000 + seq++;
        try {
          const r = await fetch(`http://127.0.0.1:${port}/v1.1/Datastreams(${ds})/Observations`, {
            method: 'POST',
            headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
            body: JSON.stringify({ result: v }),
          });
          if (r.status === 201) acked.push(v);
        } catch {
          return;
        }
      }
    });
    const work = [...mqttWork, ...httpWork].map((p) => p.catch(() => {}));
    // Kill mid-stream: once both ways have been acknowledged in this run, after a random delay.
    const mine = () => acked.filter((v) => v >= base);
    for (let i = 0; i < 400 && !(mine().some((v) => v < base + 500_000) && mine().some((v) => v >= base + 500_000)); i++) await sleep(25);
    await sleep(Math.floor(Math.random() * 600));
    srv.child.kill('SIGKILL');
    await srv.exited;
    stop = true;
    // Unacknowledged publishes fail when the client ends; their values were never counted.
    for (const c of clients) c.end(true);
    await Promise.race([Promise.all(work), sleep(3000)]);
    // Check straight from the file, as the next start would find it.
    const db = new BetterSqlite3(file);
    const stored = new Set((db.prepare('SELECT result_num AS v FROM observations WHERE datastream_id = ?').all(ds) as { v: number }[]).map((r) => r.v));
    db.close();
    const lost = acked.filter((v) => !stored.has(v));
    assert.deepEqual(lost.slice(0, 10), [], `run ${run}: ${lost.length} acknowledged observations lost of ${acked.length}`);
    assert.ok(acked.some((v) => v >= base && v < base + 500_000), `run ${run}: some MQTT messages were acknowledged`);
    assert.ok(acked.some((v) => v >= base + 500_000), `run ${run}: some HTTP posts were acknowledged`);
  }
});

/**
 * The QoS 1 baselines of bench/ingest.bench.ts, each an Aedes broker on a free port driven by the
 * bench's clients: bare Aedes (stores nothing) and the storage floor (Aedes + raw better-sqlite3).
 */
import { createServer } from 'node:net';
import { Aedes } from 'aedes';
import type BetterSqlite3 from 'better-sqlite3';
import { freePort } from '../../src/ingest/testing.ts';
import { multiRowInsert, type Tuple } from './raw-insert.ts';

/** Drives QoS 1 point messages to `url` for the given Datastream ids; acks/s and the clients' µs per message. */
export type PointLoad = (url: string, targets: number[]) => Promise<{ rate: number; clientCpu: number }>;

/** Runs `load` against `aedes` on a free port; the rate and this process's CPU (µs) meanwhile. */
async function drive(aedes: Aedes, load: PointLoad, targets: number[]): Promise<{ rate: number; clientCpu: number; cpuUs: number }> {
  const port = await freePort();
  const server = createServer(aedes.handle).listen(port, '127.0.0.1');
  const cpu0 = process.cpuUsage();
  const r = await load(`mqtt://127.0.0.1:${port}`, targets);
  const cpu = process.cpuUsage(cpu0);
  await new Promise<void>((resolve) => aedes.close(() => resolve()));
  server.close();
  return { ...r, cpuUs: cpu.user + cpu.system };
}

export async function bareAedes(load: PointLoad): Promise<{ rate: number; cpuPerMsg: number; clientCpu: number }> {
  const aedes = await Aedes.createBroker();
  let acks = 0;
  aedes.on('publish', (packet) => {
    if (!packet.topic.startsWith('$SYS')) acks++;
  });
  const r = await drive(aedes, load, [1]);
  return { rate: r.rate, cpuPerMsg: r.cpuUs / Math.max(1, acks), clientCpu: r.clientCpu };
}

/**
 * The storage floor: the same Aedes broker, acknowledging each QoS 1 message only after its data
 * point is committed by raw better-sqlite3 (multi-row INSERTs, one transaction per loop turn of
 * messages: what our group commit does) into the observations table of the real migrations, with
 * its indexes and reference checks. No authentication, validation, counters, rollups, metrics or
 * notifications: what any server keeping these rows durably before PUBACK pays at least. Its rows
 * all name one FeatureOfInterest (cantho's name one per device), so if anything it is optimistic.
 */
export async function aedesRawSqlite(db: BetterSqlite3.Database, load: PointLoad, devices: number): Promise<{ rate: number; cpuPerMsg: number; batch: number; clientCpu: number }> {
  const insert = multiRowInsert(db, 64);
  let rows: Tuple[] = [];
  let dones: (() => void)[] = [];
  let commits = 0;
  let committed = 0;
  const flush = () => {
    const r = rows;
    const d = dones;
    rows = [];
    dones = [];
    insert(r);
    commits++;
    committed += r.length;
    for (const done of d) done();
  };
  const aedes = await Aedes.createBroker({
    authorizePublish: (_client, packet, done) => {
      const m = /^v1\.1\/Datastreams\((\d+)\)\/Observations$/.exec(packet.topic);
      const body = JSON.parse(String(packet.payload)) as { result: number };
      if (!m) return done(new Error('not a create topic'));
      if (rows.length === 0) setImmediate(flush);
      rows.push([Date.now(), null, null, body.result, null, null, null, null, null, null, Number(m[1]), null, 1]);
      dones.push(() => done(null));
    },
  });
  const r = await drive(aedes, load, Array.from({ length: devices }, (_, i) => i + 1));
  return { rate: r.rate, cpuPerMsg: r.cpuUs / Math.max(1, committed), batch: committed / Math.max(1, commits), clientCpu: r.clientCpu };
}

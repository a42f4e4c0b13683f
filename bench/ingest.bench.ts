/**
 * Ingestion benchmark (`npm run bench:ingest`; BENCH_SECONDS shortens each run, default 60).
 * Each figure is printed beside its limit, measured in the same run with the same clients:
 *   1. QoS 1, one data point per message: committed Observations/s vs a bare Aedes broker that
 *      stores nothing (target ≥ 0.8 of it) and vs the storage floor (Aedes + raw better-sqlite3
 *      into the observations table), beside the least storage (the same into the table without
 *      its indexes and references), in BENCH_ROUNDS (default 3) interleaved rounds that share the
 *      BENCH_SECONDS;
 *   2. telemetry messages of 10 data points: data points/s committed (target ≥ 100,000/s);
 *   3. peak RSS of the server process;
 *   4. the same on PostgreSQL (BENCH_PG_URL or CANTHO_TEST_POSTGRES_URL) and through the Mosquitto
 *      bridge (127.0.0.1:1883, or BENCH_BRIDGE_URL), there with how many of the observations the
 *      broker acknowledged were committed once its backlog drained;
 *   5. publish → SSE client latency p50/p99 at half the peak rate of 1. (aim p99 ≤ 250 ms);
 *   6. the same at a quarter of that rate beside a client sending costly reads, with SQLite reads on
 *      read threads and on the event loop (CANTHO_SQLITE_READ_THREADS=0), for reference.
 * The server runs in this process; the clients in BENCH_WORKERS child processes (2 cores here).
 * BENCH_ONLY=bare,floor,sqlite,pg,bridge (floor: both raw SQLite baselines) and BENCH_RUNS=point,telemetry,latency,reads pick parts (default all).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import type { Platform } from '../src/server/platform.ts';
import { machineInfo } from './lib/machine.ts';
import { aedesRawSqlite, bareAedes, type PointLoad } from './lib/ingest-baselines.ts';
import { costlyReads } from './lib/costly-reads.ts';
import { ADMIN, DEVICES, lastPlatform, platformOn } from './lib/ingest-platform.ts';
import { openRawSqlite } from './lib/raw-insert.ts';
import { replaceMarkedSection } from './lib/report.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const CONNS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 32);
/** Seconds at the start of a load that are not counted. */
const warmupOf = (seconds: number) => Math.min(3, Math.max(1, Math.floor(seconds / 5)));
const WARMUP = warmupOf(SECONDS);
/**
 * The QoS 1 comparison (bare Aedes, least storage, storage floor, cantho) runs in ROUNDS interleaved rounds of
 * SECONDS / ROUNDS each, the order rotating: this machine's speed drifts by a quarter within
 * minutes, and back-to-back runs of 60 s each put the drift into the ratios.
 */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const ROUND_SECONDS = Math.max(5, Math.round(SECONDS / ROUNDS));
const PG_URL = process.env.BENCH_PG_URL ?? process.env.CANTHO_TEST_POSTGRES_URL;
/** The external broker of the bridge runs: the machine's Mosquitto unless BENCH_BRIDGE_URL names another. */
const BRIDGE_URL = process.env.BENCH_BRIDGE_URL ?? 'mqtt://127.0.0.1:1883';

type Job = { url: string; mode: 'point' | 'telemetry' | 'paced'; prefix: string; password?: string; targets: (number | string)[]; rate?: number };


/** Runs the clients; returns acknowledged messages per second after the warm-up. */
async function load(job: Job, onSecond?: (s: number) => void, seconds = SECONDS): Promise<number> {
  const perSecond: number[] = [];
  lastAcked = 0;
  lastFailed = [];
  let clientCpuUs = 0;
  let allAcked = 0;
  await Promise.all(
    Array.from({ length: WORKERS }, (_, worker) => {
      const child = fork(new URL('./ingest-worker.ts', import.meta.url), [], {
        execArgv: ['--import', 'tsx'],
        env: { ...process.env, BENCH_JOB: JSON.stringify({ ...job, seconds, connections: CONNS, window: WINDOW, worker, rate: job.rate ? job.rate / WORKERS : undefined }) },
      });
      let sec = 0;
      child.on('message', (m: { acked: number; done?: boolean; cpuUs?: number; failed?: string }) => {
        if (m.failed !== undefined) {
          lastFailed.push(m.failed);
          return;
        }
        if (m.done) {
          clientCpuUs += m.cpuUs ?? 0;
          lastAcked += m.acked;
          return;
        }
        allAcked += m.acked;
        perSecond[sec] = (perSecond[sec] ?? 0) + m.acked;
        sec++;
        if (worker === 0) onSecond?.(sec);
      });
      return new Promise((r) => child.once('exit', r));
    }),
  );
  clientCpuPerMsg = clientCpuUs / Math.max(1, allAcked);
  lastAcked += allAcked;
  lastLoadEnd = Date.now();
  const window = perSecond.slice(warmupOf(seconds), seconds);
  return window.reduce((a, b) => a + b, 0) / Math.max(1, window.length);
}

/** CPU (µs) the client processes spent per acknowledged message in the last load. */
let clientCpuPerMsg = Number.NaN;
/** Messages acknowledged in the last load, all of them (warm-up and the last partial second too). */
let lastAcked = 0;
/** Why client connections of the last load could not connect, one entry each. */
let lastFailed: string[] = [];
let lastLoadEnd = 0;
let peakRss = 0;
let debugCommitted = 0;
let debugDropped = '0';
setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 200).unref();
if (process.env.BENCH_DEBUG) {
  setInterval(() => {
    const m = process.memoryUsage();
    if (!lastPlatform) return;
    void committedTotal(lastPlatform).then((n) => (debugCommitted = n));
    void lastPlatform.ingest.metrics.notifyDropped.get().then((d) => (debugDropped = d.values.map((v) => `${v.labels.consumer} ${fmt(v.value)}`).join(', ') || '0'));
    console.error(`rss ${fmt(m.rss / 1048576)} MiB heap ${fmt(m.heapUsed / 1048576)} MiB ext ${fmt(m.external / 1048576)} MiB; queue ${lastPlatform.ingest.commits.depth}, committed ${fmt(debugCommitted)}, hub backlog ${lastPlatform.ingest.hub.passing.backlog}, notifications dropped ${debugDropped}`);
  }, 2000).unref();
}

/** Observations committed, transactions and their total time so far, and this process's CPU time. */
async function counters(p: Platform): Promise<{ obs: number; commits: number; commitSec: number; cpuUs: number }> {
  const obs = (await p.ingest.metrics.committed.get()).values[0]?.value ?? 0;
  const h = (await p.ingest.metrics.commitSeconds.get()).values;
  const pick = (suffix: string) => h.find((v) => (v as { metricName?: string }).metricName?.endsWith(suffix))?.value ?? 0;
  const cpu = process.cpuUsage();
  return { obs, commits: pick('_count'), commitSec: pick('_sum'), cpuUs: cpu.user + cpu.system };
}

interface Measured {
  acked: number;
  committed: number;
  /** Mean observations per transaction and mean transaction time (ms) over the window. */
  batch: number;
  commitMs: number;
  /** Server process CPU (all threads) per committed observation, µs. */
  cpuPerObs: number;
  /** Client processes' CPU per acknowledged message, µs. */
  clientCpu: number;
}

const committedTotal = async (p: Platform) => (await p.ingest.metrics.committed.get()).values[0]?.value ?? 0;

/**
 * After a load through an external broker: waits until the broker's backlog has drained (no new
 * commit for 3 s), then compares what the broker acknowledged with what was committed.
 */
async function lostAfterDrain(p: Platform, start: number, acked: number): Promise<string> {
  let last = await committedTotal(p);
  let lastChange = Date.now();
  for (let quiet = 0; quiet < 6; ) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await committedTotal(p);
    quiet = now === last ? quiet + 1 : 0;
    if (now !== last) lastChange = Date.now();
    last = now;
  }
  const got = last - start;
  const drained = Math.max(0, lastChange - lastLoadEnd) / 1000;
  return `${fmt(got)} of the ${fmt(acked)} observations the broker acknowledged were committed (the last ${drained.toFixed(1)} s after the load)${got < acked ? `: **${fmt(acked - got)} lost by the broker**` : got > acked ? `: ${fmt(got - acked)} twice` : ''}`;
}

/** Runs one load against a platform; committed Observations/s over the measured window. */
async function measure(p: Platform, job: Job, seconds = SECONDS): Promise<Measured> {
  const warmup = warmupOf(seconds);
  let c0: Awaited<ReturnType<typeof counters>> | null = null;
  let c1: Awaited<ReturnType<typeof counters>> | null = null;
  const acked = await load(job, (s) => {
    if (s === warmup) void counters(p).then((v) => (c0 = v));
    if (s === seconds) void counters(p).then((v) => (c1 = v));
  }, seconds);
  c1 ??= await counters(p);
  while (p.ingest.commits.depth > 0) await new Promise((r) => setTimeout(r, 50));
  const a = c0 ?? { obs: 0, commits: 0, commitSec: 0, cpuUs: 0 };
  const b = c1!;
  const obs = b.obs - a.obs;
  const commits = Math.max(1, b.commits - a.commits);
  return { acked, committed: obs / Math.max(1, seconds - warmup), batch: obs / commits, commitMs: ((b.commitSec - a.commitSec) * 1000) / commits, cpuPerObs: (b.cpuUs - a.cpuUs) / Math.max(1, obs), clientCpu: clientCpuPerMsg };
}

/** How the writer ran: transactions, their size and time, CPU per observation. */
const how = (m: Measured) => `${fmt(m.batch)} obs/commit, ${m.commitMs.toFixed(1)} ms/commit, server CPU ${m.cpuPerObs.toFixed(1)} µs/obs, clients ${m.clientCpu.toFixed(1)} µs/msg`;

/**
 * Paced QoS 1 publishing to every stream; latency from the send time in `result` to the SSE event,
 * read by a child process that follows a quarter of the streams. (Following all of them, the reader
 * process fell behind above ~26,000 events/s on this 2-core machine and the server cut it off.)
 */
async function latency(p: Platform, job: Job, rate: number, costlyReaders = 0): Promise<Latency> {
  const port = (p.app.server.address() as { port: number }).port;
  const reader = fork(new URL('./ingest-sse-reader.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    // A dashboard follows some streams, not all: a quarter of them (a quarter of the events).
    env: { ...process.env, BENCH_SSE_URL: `http://127.0.0.1:${port}/api/live?datastreams=${job.targets.slice(0, Math.ceil(job.targets.length / 4)).join(',')}` },
  });
  const result = new Promise<{ lat: number[]; dropped: boolean }>((resolve) => reader.on('message', (m: { lat?: number[]; dropped?: boolean }) => m.lat && resolve({ lat: m.lat, dropped: !!m.dropped })));
  await new Promise<void>((resolve) => reader.on('message', (m: { ready?: boolean }) => m.ready && resolve()));
  // The server's event-loop stalls during the run: a long one shows as latency for every event behind it.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const costly = costlyReads(port, costlyReaders);
  const acked = await load({ ...job, mode: 'paced', rate });
  loop.disable();
  const reads = await costly.stop();
  if (process.env.BENCH_DEBUG) console.error(`paced: ${fmt(acked)} acks/s, ${fmt(await p.ingest.metrics.committed.get().then((m) => m.values[0]?.value ?? 0))} committed in all`);
  reader.send({ stop: true });
  const { lat, dropped } = await result;
  const s = lat.slice(Math.floor(lat.length * (WARMUP / SECONDS))).sort((a, b) => a - b);
  return { p50: s[Math.floor(s.length * 0.5)] ?? Number.NaN, p99: s[Math.floor(s.length * 0.99)] ?? Number.NaN, n: s.length, dropped, stall: loop.max / 1e6, reads };
}

interface Latency {
  p50: number;
  p99: number;
  n: number;
  dropped: boolean;
  stall: number;
  /** Costly reads answered during the run, by status. */
  reads: Record<number, number>;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const lines: string[] = [];
/** The figures with targets, and reference rows (pass = null): [measure, target, figure, pass]. */
const targets: [string, string, string, boolean | null][] = [];
const load0 = loadavg()[0]!;
const report = (s: string) => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};

report(`ingest bench: ${SECONDS}s per run (the QoS 1 comparison: ${ROUNDS} rounds of ${ROUND_SECONDS} s each), ${WORKERS} client processes × ${CONNS} connections × ${WINDOW} in flight`);
const ONLY = process.env.BENCH_ONLY ?? '';
/**
 * SQLite runs to do (point, telemetry, latency, reads); the latency runs pace at half the point
 * rate, `reads` with costly HTTP reads beside, on read threads and then on the event loop.
 */
const RUNS = process.env.BENCH_RUNS ?? 'point,telemetry,latency,reads';
const dir = mkdtempSync(join(tmpdir(), 'cantho-bench-'));
const doBare = !ONLY || ONLY.includes('bare');
const doFloor = !ONLY || ONLY.includes('floor');
const doSqlite = !ONLY || ONLY.includes('sqlite');
const doPoint = doSqlite && (RUNS.includes('point') || RUNS.includes('latency'));
const median = (xs: number[]) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const sqlite = doSqlite ? await platformOn(join(dir, 'bench.db'), {}) : null;
if (sqlite) peakRss = process.memoryUsage().rss;
const parents = { ds: Array.from({ length: DEVICES }, (_, i) => i + 1), foi: [1] };
const floorDb = doFloor ? openRawSqlite(join(dir, 'floor.db'), true, parents) : null;
/** The least storage: the same table without its indexes and references (no read could use it). */
const appendDb = doFloor ? openRawSqlite(join(dir, 'append.db'), false, parents, false) : null;
const bareRounds: Awaited<ReturnType<typeof bareAedes>>[] = [];
const floorRounds: Awaited<ReturnType<typeof aedesRawSqlite>>[] = [];
const appendRounds: Awaited<ReturnType<typeof aedesRawSqlite>>[] = [];
const pointRounds: Measured[] = [];
const kinds = ['bare', 'append', 'floor', 'ours'] as const;
/** The QoS 1 point load of one round, for the baselines. */
const pointLoad: PointLoad = async (url, targets) => ({ rate: await load({ url, mode: 'point', prefix: '', targets }, undefined, ROUND_SECONDS), clientCpu: clientCpuPerMsg });
for (let r = 0; r < ROUNDS; r++) {
  const order = kinds.map((_, k) => kinds[(k + r) % kinds.length]!);
  const got: string[] = [];
  for (const kind of order) {
    if (kind === 'bare' && doBare) got.push(`bare ${fmt(bareRounds[bareRounds.push(await bareAedes(pointLoad)) - 1]!.rate)}`);
    if (kind === 'append' && appendDb) got.push(`append ${fmt(appendRounds[appendRounds.push(await aedesRawSqlite(appendDb, pointLoad, DEVICES)) - 1]!.rate)}`);
    if (kind === 'floor' && floorDb) got.push(`floor ${fmt(floorRounds[floorRounds.push(await aedesRawSqlite(floorDb, pointLoad, DEVICES)) - 1]!.rate)}`);
    if (kind === 'ours' && sqlite && doPoint) got.push(`cantho ${fmt(pointRounds[pointRounds.push(await measure(sqlite.p, { url: sqlite.mqttUrl, mode: 'point', prefix: '', password: ADMIN, targets: sqlite.streams }, ROUND_SECONDS)) - 1]!.committed)}`);
  }
  report(`QoS 1 round ${r + 1}/${ROUNDS} (${ROUND_SECONDS} s each, in this order): ${got.join(', ')} /s`);
}
floorDb?.close();
appendDb?.close();
const bare = mean(bareRounds.map((b) => b.rate));
const ratio = (a: { rate?: number; committed?: number }[], b: { rate: number }[]) => median(a.map((x, i) => (x.committed ?? x.rate ?? Number.NaN) / (b[i]?.rate ?? Number.NaN)));
report(`bare Aedes (no storage), QoS 1 acks/s:            ${fmt(bare)}; server CPU ${mean(bareRounds.map((b) => b.cpuPerMsg)).toFixed(1)} µs/msg, clients ${mean(bareRounds.map((b) => b.clientCpu)).toFixed(1)} µs/msg`);
const baseline = (name: string, rounds: typeof floorRounds) => {
  const rate = mean(rounds.map((f) => f.rate));
  const r = ratio(rounds, bareRounds);
  report(`${name}, QoS 1 obs/s: ${fmt(rate)} = ${r.toFixed(2)} × bare (median of the rounds' ratios); ${fmt(mean(rounds.map((f) => f.batch)))} obs/commit, server CPU ${mean(rounds.map((f) => f.cpuPerMsg)).toFixed(1)} µs/obs, clients ${mean(rounds.map((f) => f.clientCpu)).toFixed(1)} µs/msg`);
  return { rate, ratio: r };
};
const append = appendRounds.length ? baseline('Aedes + raw SQLite, table without indexes or references (least storage)', appendRounds) : null;
const floor = floorRounds.length ? baseline('Aedes + raw SQLite (storage floor: the same table, its indexes and references)', floorRounds) : null;
if (sqlite) {
  const { p, mqttUrl, streams, devices } = sqlite;
  const none: Measured = { acked: Number.NaN, committed: Number.NaN, batch: Number.NaN, commitMs: Number.NaN, cpuPerObs: Number.NaN, clientCpu: Number.NaN };
  const avg = (k: keyof Measured) => mean(pointRounds.map((m) => m[k]));
  const point: Measured = pointRounds.length ? { acked: avg('acked'), committed: avg('committed'), batch: avg('batch'), commitMs: avg('commitMs'), cpuPerObs: avg('cpuPerObs'), clientCpu: avg('clientCpu') } : none;
  const vsBare = ratio(pointRounds, bareRounds);
  const vsFloor = ratio(pointRounds, floorRounds);
  report(`SQLite  QoS 1 1-point: committed obs/s ${fmt(point.committed)} (acked ${fmt(point.acked)}/s) = ${vsBare.toFixed(2)} × bare (target ≥ 0.80)${floor ? ` = ${vsFloor.toFixed(2)} × the storage floor` : ''} (medians of the rounds' ratios); ${how(point)}`);
  targets.push([`SQLite, QoS 1, one data point a message: committed obs/s ÷ bare Aedes acks/s (median of ${ROUNDS} interleaved rounds)`, '≥ 0.80', `${fmt(point.committed)} / ${fmt(bare)}: ${vsBare.toFixed(2)}`, vsBare >= 0.8]);
  if (append) targets.push(['(the same clients) Aedes + raw better-sqlite3 into the observations table without its indexes and references (a table no read could use), PUBACK after commit: obs/s ÷ bare Aedes', 'reference', `${fmt(append.rate)} / ${fmt(bare)}: ${append.ratio.toFixed(2)}`, null]);
  if (floor) {
    targets.push(['(the same clients) Aedes + raw better-sqlite3 into the same table, PUBACK after commit: obs/s ÷ bare Aedes', 'reference', `${fmt(floor.rate)} / ${fmt(bare)}: ${floor.ratio.toFixed(2)}`, null]);
    targets.push(['(the same clients) cantho ÷ Aedes + raw better-sqlite3', 'reference', `${fmt(point.committed)} / ${fmt(floor.rate)}: ${vsFloor.toFixed(2)}`, null]);
  }
  const tele = RUNS.includes('telemetry') ? await measure(p, { url: mqttUrl, mode: 'telemetry', prefix: '', password: ADMIN, targets: devices }) : none;
  report(`SQLite  telemetry ×10: committed points/s ${fmt(tele.committed)} (target ≥ 100,000); ${how(tele)}`);
  targets.push(['SQLite, telemetry of 10 data points a message: committed points/s', '≥ 100,000', fmt(tele.committed), tele.committed >= 100_000]);
  report(`SQLite  peak RSS: ${fmt(peakRss / 1048576)} MiB`);
  const paced = Number(process.env.BENCH_LATENCY_RATE ?? point.committed / 2);
  const noLatency: Latency = { p50: Number.NaN, p99: Number.NaN, n: 0, dropped: false, stall: Number.NaN, reads: {} };
  const lat = RUNS.includes('latency') ? await latency(p, { url: mqttUrl, mode: 'paced', prefix: '', password: ADMIN, targets: streams }, paced) : noLatency;
  report(`SQLite  publish→SSE latency at ${fmt(paced)} msg/s: p50 ${lat.p50.toFixed(1)} ms, p99 ${lat.p99.toFixed(1)} ms over ${fmt(lat.n)} events (aim p99 ≤ 250 ms); longest event-loop stall ${fmt(lat.stall)} ms${lat.dropped ? '; the server cut the SSE client off (it fell 8 MiB behind)' : ''}`);
  targets.push([`SQLite, publish → SSE client at ${fmt(paced)} msg/s (half the QoS 1 rate, to every stream; the client follows a quarter of them), p50 / p99`, 'p99 ≤ 250 ms', `${lat.p50.toFixed(1)} / ${lat.p99.toFixed(1)} ms`, lat.p99 <= 250 && !lat.dropped]);
  if (RUNS.includes('reads')) {
    // The same at a quarter of the QoS 1 rate (one core goes to the costly read), with a client
    // sending costly reads back to back: on read threads (the default), then, on the same file,
    // with CANTHO_SQLITE_READ_THREADS=0 (reads on the event loop, as before read threads).
    const rate = paced / 2;
    const withReads = async (q: Platform, mqtt: string, streamIds: number[], how: string) => {
      // Reads hold their snapshot in the WAL: its largest size during the run tells whether it kept restarting.
      let wal = 0;
      const sample = setInterval(() => {
        wal = Math.max(wal, statSync(join(dir, 'bench.db-wal'), { throwIfNoEntry: false })?.size ?? 0);
      }, 200);
      const l = await latency(q, { url: mqtt, mode: 'paced', prefix: '', password: ADMIN, targets: streamIds }, rate, 1);
      clearInterval(sample);
      const answered = Object.entries(l.reads).map(([status, n]) => `${n} × ${status}`).join(', ') || 'none';
      const failed = lastFailed.length ? `; ${lastFailed.length} of ${WORKERS * CONNS} client connections could not connect (${[...new Set(lastFailed)].join(', ')})` : '';
      report(`SQLite  publish→SSE latency at ${fmt(rate)} msg/s beside costly reads ${how}: p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms over ${fmt(l.n)} events; longest event-loop stall ${fmt(l.stall)} ms; largest WAL ${fmt(wal / 1048576)} MiB; costly reads answered: ${answered}${failed}${l.dropped ? '; the server cut the SSE client off' : ''}`);
      targets.push([`(reference) SQLite, publish → SSE client at ${fmt(rate)} msg/s while one client sends reads that sort every Observation (stopped at the 5 s read deadline), ${how}: p50 / p99; longest event-loop stall; largest WAL`, 'reference', `${l.p50.toFixed(1)} / ${l.p99.toFixed(1)} ms; ${fmt(l.stall)} ms; ${fmt(wal / 1048576)} MiB`, null]);
    };
    await withReads(p, mqttUrl, streams, 'on read threads');
    await p.close();
    const again = await platformOn(join(dir, 'bench.db'), { CANTHO_SQLITE_READ_THREADS: '0' });
    await withReads(again.p, again.mqttUrl, again.streams, 'on the event loop (CANTHO_SQLITE_READ_THREADS=0)');
    await again.p.close();
  } else {
    await p.close();
  }
}
if (PG_URL && (!ONLY || ONLY.includes('pg'))) {
  const schema = `bench_${process.pid}`;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`CREATE SCHEMA ${schema}`);
  try {
    const { p, mqttUrl, streams, devices } = await platformOn(PG_URL, {}, schema);
    peakRss = process.memoryUsage().rss;
    const point = await measure(p, { url: mqttUrl, mode: 'point', prefix: '', password: ADMIN, targets: streams });
    report(`Postgres QoS 1 1-point: committed obs/s ${fmt(point.committed)} = ${(point.committed / bare).toFixed(2)} × bare; ${how(point)}`);
    const tele = await measure(p, { url: mqttUrl, mode: 'telemetry', prefix: '', password: ADMIN, targets: devices });
    report(`Postgres telemetry ×10: committed points/s ${fmt(tele.committed)}; ${how(tele)}; peak RSS ${fmt(peakRss / 1048576)} MiB`);
    await p.close();
  } finally {
    await c.query(`DROP SCHEMA ${schema} CASCADE`);
    await c.end();
  }
}
if (!ONLY || ONLY.includes('bridge')) {
  const prefix = `bench-${process.pid}/`;
  const { p, streams, devices } = await platformOn(join(dir, 'bridge.db'), { MQTT_URL: BRIDGE_URL, MQTT_TOPIC_PREFIX: prefix });
  peakRss = process.memoryUsage().rss;
  let start = await committedTotal(p);
  const point = await measure(p, { url: BRIDGE_URL, mode: 'point', prefix, targets: streams });
  let lost = await lostAfterDrain(p, start, lastAcked);
  report(`Bridge  QoS 1 1-point via Mosquitto: committed obs/s ${fmt(point.committed)} (acked by Mosquitto ${fmt(point.acked)}/s); ${how(point)}; ${lost}`);
  start = await committedTotal(p);
  const tele = await measure(p, { url: BRIDGE_URL, mode: 'telemetry', prefix, targets: devices });
  lost = await lostAfterDrain(p, start, lastAcked * 10);
  report(`Bridge  telemetry ×10 via Mosquitto: committed points/s ${fmt(tele.committed)}; ${how(tele)}; ${lost}; peak RSS ${fmt(peakRss / 1048576)} MiB`);
  await p.close();
}
rmSync(dir, { recursive: true, force: true });
if (process.env.BENCH_DOCS !== '0' && !ONLY && !process.env.BENCH_RUNS && !process.env.BENCH_LATENCY_RATE) {
  const m = machineInfo();
  const cmd = process.env.npm_lifecycle_event === 'bench:ingest' ? 'npm run bench:ingest' : 'npx tsx bench/ingest.bench.ts';
  const env = ['BENCH_SECONDS', 'CANTHO_TEST_POSTGRES_URL', 'BENCH_PG_URL'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]}`);
  replaceMarkedSection(new URL('../docs/benchmarks.md', import.meta.url).pathname, { begin: '<!-- BEGIN ingest figures: generated by bench/ingest.bench.ts, do not edit by hand -->', end: '<!-- END ingest figures -->', heading: 'Ingest (MQTT)' }, [
    `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`${[...env, cmd].join(' ')}\``,
    '',
    `- Machine: nproc ${m.nproc}, ${m.cpuModel}, ${m.memoryGiB} GiB RAM, ${m.kernel}, Node ${m.node}; the server in the bench process, the clients in ${WORKERS} child processes on the same cores.`,
    `- Load average (1 min): ${load0.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end.`,
    '',
    '| Measure | Target | Figure | |',
    '|---|---|---|---|',
    ...targets.map(([a, b, c, ok]) => `| ${a} | ${b} | ${c} | ${ok === null ? '' : ok ? 'PASS' : 'FAIL'} |`),
    '',
    'All lines of the run:',
    '',
    '```',
    ...lines,
    '```',
  ].join('\n'));
}
process.exit(0);

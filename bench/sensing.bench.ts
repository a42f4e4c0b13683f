/**
 * Sensing benchmarks (`npm run bench:sensing`): ingest over real HTTP beside a raw-driver baseline,
 * latest-observation expand, $count on a big Datastream, and hourly/daily aggregation. Runs on
 * SQLite, then on PostgreSQL when CANTHO_BENCH_POSTGRES_URL or CANTHO_TEST_POSTGRES_URL is set,
 * each in a fresh temp file / schema that is dropped afterwards, with the default durability
 * settings. Prints a table and rewrites the figures section of docs/benchmarks.md.
 *
 * Environment:
 *   CANTHO_BENCH_COUNT_ROWS   observations in the $count Datastream (default 10,000,000)
 *   CANTHO_BENCH_INGEST_ROWS  observations per ingest measurement (default 400,000; after 50,000 warm-up)
 *   CANTHO_BENCH_INGEST_ROUNDS ingest measurements, each beside the raw baselines; medians reported (default 3)
 *   CANTHO_BENCH_CONCURRENCY  HTTP requests in flight while ingesting (default 4)
 *   CANTHO_BENCH_DATABASES    sqlite,postgres (default both; postgres only when a URL is set)
 *   CANTHO_BENCH_DIR          where the SQLite temp files go (default the OS temp dir)
 *   CANTHO_BENCH_DOCS=0       do not touch docs/benchmarks.md
 *   CANTHO_BENCH_ONLY         measures to run, e.g. 1,4 (default all; docs are then left alone)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { loadConfig, redact } from '../src/config/config.ts';
import type { ObservationInput } from '../src/sensing/write/observation-writer.ts';
import { createPlatform, type Platform } from '../src/server/platform.ts';
import { HttpClient } from './lib/http-client.ts';
import { machineInfo, packageVersion } from './lib/machine.ts';
import { pgSchema, rawPg, rawSqlite, SQLITE_MULTI_ROWS } from './lib/raw-insert.ts';
import { type DatabaseRun, type Figure, markdownTable, textTable, updateFiguresSection } from './lib/report.ts';
import { int, ms, now, seconds, summarize, timeEach } from './lib/stats.ts';

// ---------------------------------------------------------------------------------------------
// Settings

function intEnv(name: string, def: number, min = 1): number {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name}="${v}" must be an integer ≥ ${min}`);
  return n;
}

const ROWS_PER_REQUEST = 1_000;
const round = (n: number, to: number) => Math.max(to, Math.round(n / to) * to);
const COUNT_ROWS = intEnv('CANTHO_BENCH_COUNT_ROWS', 10_000_000);
const INGEST_ROWS = round(intEnv('CANTHO_BENCH_INGEST_ROWS', 400_000), ROWS_PER_REQUEST);
/** Ingest measurements, each beside fresh raw baselines; the figures are the medians. */
const INGEST_ROUNDS = intEnv('CANTHO_BENCH_INGEST_ROUNDS', 3);
const WARMUP_ROWS = 50_000;
const CONCURRENCY = intEnv('CANTHO_BENCH_CONCURRENCY', 4);
const SEED_BATCH = 10_000;
const LATEST_STREAMS = 1_000;
const LATEST_PER_STREAM = 1_000;
const YEAR_MINUTES = 525_600;
const PG_URL = process.env.CANTHO_BENCH_POSTGRES_URL || process.env.CANTHO_TEST_POSTGRES_URL || null;
const DATABASES = (process.env.CANTHO_BENCH_DATABASES ?? 'sqlite,postgres').split(',').map((s) => s.trim().toLowerCase());
const ONLY = (process.env.CANTHO_BENCH_ONLY ?? '1,2,3,4').split(',').map((s) => s.trim());
const WRITE_DOCS = process.env.CANTHO_BENCH_DOCS !== '0' && ONLY.length === 4;
const ADMIN_KEY = `bench-${randomBytes(16).toString('hex')}`;
/** Seconds a latency series may take before it stops early (with at least 5 samples). */
const LATENCY_BUDGET_MS = 60_000;

const INGEST_T0 = Date.parse('2026-01-01T00:00:00Z');
const COUNT_T0 = Date.parse('2020-01-01T00:00:00Z');
const LATEST_T0 = Date.parse('2025-06-01T00:00:00Z');
const YEAR_FROM = '2025-01-01T00:00:00+07:00';
const YEAR_TO = '2026-01-01T00:00:00+07:00';
const TZ_OFFSET_MS = 7 * 3_600_000; // the Aggregate default zone, Asia/Ho_Chi_Minh

const cleanups: (() => Promise<void> | void)[] = [];
const log = (msg: string) => process.stdout.write(`${msg}\n`);

// ---------------------------------------------------------------------------------------------
// Databases

interface Backend {
  name: 'SQLite' | 'PostgreSQL';
  url: string;
  pgSchema?: string;
  /** SQLite: the temp folder (also used by the raw baseline). */
  dir?: string;
  cleanup(): Promise<void>;
}

function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(process.env.CANTHO_BENCH_DIR || tmpdir(), 'cantho-bench-'));
  return { name: 'SQLite', url: join(dir, 'bench.db'), dir, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function postgresBackend(url: string): Promise<Backend> {
  const s = await pgSchema(url, 'bench');
  return { name: 'PostgreSQL', url, pgSchema: s.schema, cleanup: s.drop };
}

// ---------------------------------------------------------------------------------------------
// Data

/** A deterministic, smooth-ish value for row i. */
const sampleValue = (i: number) => Math.round((20 + 5 * Math.sin(i / 240) + ((i * 7919) % 100) / 100) * 100) / 100;

function ingestBody(dsId: number, first: number, n: number): string {
  const rows = new Array<string>(n);
  for (let k = 0; k < n; k++) {
    const i = first + k;
    rows[k] = `["${new Date(INGEST_T0 + i * 1000).toISOString()}",${sampleValue(i)}]`;
  }
  return `[{"Datastream":{"@iot.id":${dsId}},"components":["phenomenonTime","result"],"dataArray":[${rows.join(',')}]}]`;
}

/** The same rows as ingestBody, as the 13 column values the writer inserts. */
function ingestTuples(dsId: number, foiId: number, first: number, n: number): (number | null)[][] {
  const out = new Array<(number | null)[]>(n);
  for (let k = 0; k < n; k++) {
    const i = first + k;
    out[k] = [INGEST_T0 + i * 1000, null, null, sampleValue(i), null, null, null, null, null, null, dsId, null, foiId];
  }
  return out;
}

/** Seeds through ObservationWriter.write (the server's one write path), printing progress. */
async function seed(p: Platform, label: string, total: number, make: (i: number) => ObservationInput): Promise<{ ms: number; rate: number }> {
  const t0 = now();
  let lastPrint = t0;
  for (let done = 0; done < total; ) {
    const n = Math.min(SEED_BATCH, total - done);
    const batch = new Array<ObservationInput>(n);
    for (let k = 0; k < n; k++) batch[k] = make(done + k);
    await p.sensing.observations.write(batch);
    done += n;
    const t = now();
    if (t - lastPrint > 5_000 || done === total) {
      lastPrint = t;
      const rate = done / ((t - t0) / 1000);
      log(`    ${label}: ${int(done)} / ${int(total)} (${Math.floor((done / total) * 100)}%), ${int(rate)} obs/s${done < total ? `, ~${Math.ceil((total - done) / rate)} s left` : ''}`);
    }
  }
  const dt = now() - t0;
  return { ms: dt, rate: total / (dt / 1000) };
}

// ---------------------------------------------------------------------------------------------
// One database

interface Ctx {
  backend: Backend;
  p: Platform;
  base: string;
  client: HttpClient;
  ds: { latest: number[]; ingest: number; count: number; aggregate: number };
  foi: number;
  figures: Map<string, Figure[]>;
  notes: string[];
}

async function api(p: Platform, method: 'GET' | 'POST', url: string, body?: unknown): Promise<unknown> {
  const r = await p.app.inject({ method, url, payload: body === undefined ? undefined : JSON.stringify(body), headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' } });
  if (r.statusCode >= 300) throw new Error(`${method} ${url} → ${r.statusCode}: ${r.body.slice(0, 500)}`);
  return r.body ? JSON.parse(r.body) : undefined;
}

async function setupEntities(p: Platform): Promise<{ ds: Ctx['ds']; foi: number }> {
  const sensor = (await api(p, 'POST', '/v1.1/Sensors', { name: 'bench sensor', description: 'bench', encodingType: 'application/pdf', metadata: 'https://example.org/bench.pdf' })) as { '@iot.id': number };
  const op = (await api(p, 'POST', '/v1.1/ObservedProperties', { name: 'water level', definition: 'https://example.org/level', description: 'bench' })) as { '@iot.id': number };
  const stream = (name: string) => ({
    name,
    description: 'bench',
    observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement',
    unitOfMeasurement: { name: 'metre', symbol: 'm', definition: 'http://qudt.org/vocab/unit/M' },
    Sensor: { '@iot.id': sensor['@iot.id'] },
    ObservedProperty: { '@iot.id': op['@iot.id'] },
  });
  const location = { name: 'Bến Ninh Kiều', description: 'bench', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.783, 10.033] } };
  // The 1,000 "latest" streams first, so that Datastreams?$top=1000 returns exactly them.
  await api(p, 'POST', '/v1.1/Things', { name: 'bench network', description: 'bench', Locations: [location], Datastreams: Array.from({ length: LATEST_STREAMS }, (_, i) => stream(`latest-${String(i).padStart(4, '0')}`)) });
  await api(p, 'POST', '/v1.1/Things', { name: 'bench station', description: 'bench', Locations: [location], Datastreams: [stream('ingest'), stream('count'), stream('aggregate')] });
  const rows = (await sql<{ id: number; name: string }>`SELECT id, name FROM datastreams ORDER BY id`.execute(p.db.kysely)).rows.map((r) => ({ id: Number(r.id), name: r.name }));
  const id = (name: string) => rows.find((r) => r.name === name)!.id;
  const latest = rows.filter((r) => r.name.startsWith('latest-')).map((r) => r.id);
  if (latest.length !== LATEST_STREAMS || latest.some((x, i) => x !== rows[i]!.id)) {
    throw new Error('the 1,000 latest-* Datastreams are not the first 1,000 ids');
  }
  // Resolve the FeatureOfInterest once (the writer creates it from the Thing's Location).
  const [first] = await p.sensing.observations.write([{ datastreamId: id('ingest'), phenomenonStart: INGEST_T0 - 1000, result: 0 }]);
  const foi = Number((await sql<{ f: number }>`SELECT feature_of_interest_id AS f FROM observations WHERE id = ${first}`.execute(p.db.kysely)).rows[0]!.f);
  return { ds: { latest, ingest: id('ingest'), count: id('count'), aggregate: id('aggregate') }, foi };
}

function put(c: Ctx, test: string, f: Figure): void {
  const list = c.figures.get(test) ?? [];
  list.push(f);
  c.figures.set(test, list);
}

async function guarded(c: Ctx, test: string, key: string, label: string, target: string | undefined, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    log(`  ! ${label}: ${msg}`);
    if (process.env.CANTHO_BENCH_DEBUG) console.error(e);
    const taken = c.figures.get(test)?.some((f) => f.key === key);
    put(c, test, { key: taken ? `${key}.error` : key, label: `${test}. ${label}`, target: taken ? undefined : target, value: `error: ${msg.split('\n')[0]!.slice(0, 120)}`, pass: target && !taken ? false : undefined });
  }
}

// --- 1. Ingest ------------------------------------------------------------------------------------

async function benchIngest(c: Ctx): Promise<void> {
  const ds = c.ds.ingest;
  const warmN = WARMUP_ROWS / ROWS_PER_REQUEST;
  const measN = INGEST_ROWS / ROWS_PER_REQUEST;
  const sqlite = c.backend.name === 'SQLite';
  log(`  [1] CreateObservations: building ${warmN + INGEST_ROUNDS * measN} bodies of ${ROWS_PER_REQUEST} observations…`);
  const bodies = Array.from({ length: warmN + INGEST_ROUNDS * measN }, (_, k) => ingestBody(ds, k * ROWS_PER_REQUEST, ROWS_PER_REQUEST));
  const url = `${c.base}/v1.1/CreateObservations`;
  const before = await obsCount(c.p, ds);
  const warm = await c.client.ingest(url, ADMIN_KEY, bodies.slice(0, warmN), CONCURRENCY);
  checkIngest(warm);
  log(`      warm-up ${int(WARMUP_ROWS)} obs in ${seconds(warm.ms)}; then ${INGEST_ROUNDS} rounds of ${int(INGEST_ROWS)} obs (${CONCURRENCY} requests in flight) each beside the raw baselines`);
  const warmT = ingestTuples(ds, c.foi, 0, WARMUP_ROWS);
  const ours: number[] = [];
  const cpuUs: number[] = [];
  const rawFk: number[] = [];
  const raw: number[] = [];
  const multi: number[] = [];
  for (let r = 0; r < INGEST_ROUNDS; r++) {
    const from = warmN + r * measN;
    const cpu0 = process.cpuUsage();
    const meas = await c.client.ingest(url, ADMIN_KEY, bodies.slice(from, from + measN), CONCURRENCY);
    const cpu = process.cpuUsage(cpu0);
    checkIngest(meas);
    ours.push(INGEST_ROWS / (meas.ms / 1000));
    // The server process's CPU (the client runs in a process of its own): less noisy than the rate.
    cpuUs.push((cpu.user + cpu.system) / INGEST_ROWS);
    const measT = ingestTuples(ds, c.foi, from * ROWS_PER_REQUEST, INGEST_ROWS);
    rawFk.push(sqlite ? rawSqlite(c.backend.dir!, warmT, measT, { withFks: true, batch: ROWS_PER_REQUEST }) : await rawPg(c.backend.url, warmT, measT, { withFks: true, batch: ROWS_PER_REQUEST, connections: CONCURRENCY }));
    raw.push(sqlite ? rawSqlite(c.backend.dir!, warmT, measT, { withFks: false, batch: ROWS_PER_REQUEST }) : await rawPg(c.backend.url, warmT, measT, { withFks: false, batch: ROWS_PER_REQUEST, connections: CONCURRENCY }));
    if (sqlite) multi.push(rawSqlite(c.backend.dir!, warmT, measT, { withFks: true, batch: ROWS_PER_REQUEST, multi: SQLITE_MULTI_ROWS }));
    log(`      round ${r + 1}: ours ${int(ours[r]!)} obs/s (${ms(meas.ms / measN)} per request; server process CPU ${cpuUs[r]!.toFixed(1)} µs/obs, client ${((meas.clientCpuMs * 1000) / INGEST_ROWS).toFixed(1)}); raw with FKs ${int(rawFk[r]!)}, raw no FKs ${int(raw[r]!)}${sqlite ? `, raw multi-row ${int(multi[r]!)}` : ''}`);
  }
  const committed = (await obsCount(c.p, ds)) - before;
  const rows = (await sql<{ n: number }>`SELECT COUNT(*) AS n FROM observations WHERE datastream_id = ${ds}`.execute(c.p.db.kysely)).rows[0]!.n;
  const expected = WARMUP_ROWS + INGEST_ROUNDS * INGEST_ROWS;
  if (committed !== expected || Number(rows) !== committed + 1) throw new Error(`expected ${expected} committed observations, counter says ${committed}, table ${rows}`);
  const rate = median(ours);
  const fk = median(rawFk);
  const nofk = median(raw);
  const spread = (xs: number[]) => (xs.length > 1 ? ` (${int(Math.min(...xs))}–${int(Math.max(...xs))})` : '');
  put(c, '1', {
    key: 'ingest',
    label: `1. POST CreateObservations, HTTP, ${int(ROWS_PER_REQUEST)} obs/request, ${CONCURRENCY} in flight`,
    value: `${int(rate)} obs/s${spread(ours)}`,
    target: '≥ 100,000 obs/s',
    pass: rate >= 100_000,
  });
  put(c, '1', { key: 'ingest.cpu', label: '   server process CPU per observation (client excluded)', value: `${median(cpuUs).toFixed(1)} µs` });
  put(c, '1', { key: 'ingest.rawfk', label: '   raw driver INSERT of the same rows, same columns, indexes and FKs (baseline)', value: `${int(fk)} obs/s${spread(rawFk)}` });
  put(c, '1', { key: 'ingest.ratio', label: '   ratio ours / raw baseline with FKs', value: (rate / fk).toFixed(2), target: sqlite ? '≥ 0.70' : undefined, pass: sqlite ? rate / fk >= 0.7 : undefined });
  put(c, '1', { key: 'ingest.raw', label: '   raw driver INSERT of the same rows, no FKs', value: `${int(nofk)} obs/s${spread(raw)}` });
  put(c, '1', { key: 'ingest.ratio.nofk', label: '   ratio ours / raw without FKs', value: (rate / nofk).toFixed(2) });
  if (sqlite) put(c, '1', { key: 'ingest.rawmulti', label: `   raw multi-row INSERT (${SQLITE_MULTI_ROWS} rows a statement, non-null columns only), with FKs`, value: `${int(median(multi))} obs/s${spread(multi)}` });
}

/** The middle value (the mean of the two middle ones for an even count). */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function checkIngest(r: { failures: { status: number; text: string }[]; rejectedRows: number }): void {
  if (r.failures.length) throw new Error(`CreateObservations failed: ${r.failures[0]!.status} ${r.failures[0]!.text}`);
  if (r.rejectedRows) throw new Error(`${r.rejectedRows} rows answered "error"`);
}

async function obsCount(p: Platform, ds: number): Promise<number> {
  return Number((await sql<{ n: number }>`SELECT obs_count AS n FROM datastreams WHERE id = ${ds}`.execute(p.db.kysely)).rows[0]!.n);
}

// --- 2. Latest observation of 1,000 Datastreams --------------------------------------------------

async function benchLatest(c: Ctx): Promise<void> {
  const url = `${c.base}/v1.1/Datastreams?$top=${LATEST_STREAMS}&$expand=${encodeURIComponent('Observations($orderby=phenomenonTime desc;$top=1)')}`;
  const probe = await c.client.latency(url, ADMIN_KEY, 1, 0);
  const label = `2. Latest Observation of each of ${int(LATEST_STREAMS)} Datastreams, one request`;
  if (probe.status === 501 || probe.sample.includes('NOT_IMPLEMENTED')) {
    log(`  [2] latest-of-1,000: skipped: $orderby not available (answer ${probe.status}: ${probe.sample.slice(0, 120)})`);
    put(c, '2', { key: 'latest.p50', label: `${label}, p50`, value: 'skipped: $orderby not available', target: '≤ 50 ms' });
    c.notes.push(`${c.backend.name}: test 2 skipped: the request answered ${probe.status} (${probe.sample.slice(0, 100)}); re-run once $orderby is implemented.`);
    return;
  }
  if (probe.status !== 200) throw new Error(`${probe.status}: ${probe.sample.slice(0, 300)}`);
  log(`  [2] latest-of-1,000: seeding ${int(LATEST_STREAMS)} × ${int(LATEST_PER_STREAM)} observations through ObservationWriter.write…`);
  const streams = c.ds.latest;
  await seed(c.p, 'latest', LATEST_STREAMS * LATEST_PER_STREAM, (i) => {
    const s = Math.floor(i / LATEST_PER_STREAM);
    const k = i % LATEST_PER_STREAM;
    return { datastreamId: streams[s]!, phenomenonStart: LATEST_T0 + k * 60_000, result: sampleValue(i) };
  });
  const r = await c.client.latency(url, ADMIN_KEY, 30, 2);
  if (r.status !== 200) throw new Error(`${r.status}: ${r.sample.slice(0, 300)}`);
  const body = JSON.parse(r.sample) as { value: { Observations?: { phenomenonTime: string }[] }[] };
  const last = new Date(LATEST_T0 + (LATEST_PER_STREAM - 1) * 60_000).toISOString();
  const wrong = body.value.filter((d) => d.Observations?.length !== 1 || Date.parse(d.Observations[0]!.phenomenonTime) !== Date.parse(last)).length;
  if (body.value.length !== LATEST_STREAMS || wrong) throw new Error(`expected ${LATEST_STREAMS} Datastreams each with its latest Observation (${last}); got ${body.value.length}, ${wrong} wrong`);
  const s = summarize(r.times);
  log(`      p50 ${ms(s.p50)}, p95 ${ms(s.p95)} over ${s.n} requests (${int(r.bytes / 1024)} KiB each)`);
  put(c, '2', { key: 'latest.p50', label: `${label}, p50`, value: `${ms(s.p50)} (n=${s.n})`, target: '≤ 50 ms', pass: s.p50 <= 50 });
  put(c, '2', { key: 'latest.p95', label: '   same, p95', value: ms(s.p95) });
}

// --- 3. $count on a big Datastream -------------------------------------------------------------

async function benchCount(c: Ctx): Promise<void> {
  const ds = c.ds.count;
  log(`  [3] $count: seeding ${int(COUNT_ROWS)} observations into one Datastream through ObservationWriter.write (batches of ${int(SEED_BATCH)})…`);
  const seeded = await seed(c.p, 'count', COUNT_ROWS, (i) => ({ datastreamId: ds, phenomenonStart: COUNT_T0 + i * 1000, result: sampleValue(i) }));
  put(c, '3', { key: 'seed.rate', label: `   seeding it: ObservationWriter.write, ${int(SEED_BATCH)}-obs batches, in-process`, value: `${int(seeded.rate)} obs/s` });
  const url = `${c.base}/v1.1/Datastreams(${ds})/Observations?$count=true&$top=1`;
  const r = await latencyWithBudget(c, url, 30);
  const body = JSON.parse(r.sample) as { '@iot.count': number; value: unknown[] };
  if (body['@iot.count'] !== COUNT_ROWS || body.value.length !== 1) throw new Error(`expected @iot.count ${COUNT_ROWS} and 1 value; got ${body['@iot.count']} and ${body.value.length}`);
  const s = summarize(r.times);
  log(`      p50 ${ms(s.p50)}, p95 ${ms(s.p95)} over ${s.n} requests`);
  c.figures.set('3', [{ key: 'count.p50', label: `3. Datastreams(id)/Observations?$count=true&$top=1, ${int(COUNT_ROWS)} obs, p50`, value: `${ms(s.p50)} (n=${s.n})`, target: '≤ 50 ms', pass: s.p50 <= 50 }, ...(c.figures.get('3') ?? [])]);
}

/** A latency series that stops early (≥ 5 samples) once it has run for LATENCY_BUDGET_MS. */
async function latencyWithBudget(c: Ctx, url: string, n: number) {
  const first = await c.client.latency(url, ADMIN_KEY, 1, 0);
  if (first.status !== 200) throw new Error(`${first.status}: ${first.sample.slice(0, 300)}`);
  const each = first.times[0]!;
  const fit = Math.max(5, Math.min(n, Math.floor(LATENCY_BUDGET_MS / Math.max(each, 1))));
  if (fit < n) log(`      (one request takes ${ms(each)}: timing ${fit} requests instead of ${n})`);
  const r = await c.client.latency(url, ADMIN_KEY, fit, 1);
  return { ...r, sample: first.sample };
}

// --- 4. Aggregates over a year of minute data -----------------------------------------------------

async function benchAggregate(c: Ctx): Promise<void> {
  const ds = c.ds.aggregate;
  const from = Date.parse(YEAR_FROM);
  log(`  [4] Aggregate: seeding ${int(YEAR_MINUTES)} minute observations (one year) through ObservationWriter.write…`);
  await seed(c.p, 'aggregate', YEAR_MINUTES, (i) => ({ datastreamId: ds, phenomenonStart: from + i * 60_000, result: sampleValue(i) }));
  for (const [interval, buckets, target] of [['1h', 8_760, 100], ['1d', 365, undefined]] as const) {
    const url = `${c.base}/v1.1/Datastreams(${ds})/Aggregate?interval=${interval}&from=${encodeURIComponent(YEAR_FROM)}&to=${encodeURIComponent(YEAR_TO)}`;
    const r = await latencyWithBudget(c, url, 20);
    const body = JSON.parse(r.sample) as { value: { count: number }[] };
    const total = body.value.reduce((a, b) => a + b.count, 0);
    if (body.value.length !== buckets || total !== YEAR_MINUTES) throw new Error(`Aggregate ${interval}: expected ${buckets} buckets of ${YEAR_MINUTES} obs; got ${body.value.length} of ${total}`);
    const s = summarize(r.times);
    log(`      ${interval}: p50 ${ms(s.p50)}, p95 ${ms(s.p95)} over ${s.n} requests (${buckets} buckets, ${int(r.bytes / 1024)} KiB)`);
    put(c, '4', {
      key: `agg.${interval}`,
      label: interval === '1h' ? `4. Aggregate interval=1h, 1 year of minute data (${int(buckets)} buckets), p50` : `   Aggregate interval=1d (${int(buckets)} buckets), p50`,
      value: `${ms(s.p50)} (n=${s.n})`,
      target: target ? `≤ ${target} ms` : undefined,
      pass: target ? s.p50 <= target : undefined,
    });
  }
  for (const [interval, width, buckets] of [['1h', 3_600_000, 8_760], ['1d', 86_400_000, 365]] as const) {
    const run = rawGroupBy(c, ds, from, Date.parse(YEAR_TO), width);
    const n = await run();
    if (n !== buckets) throw new Error(`raw GROUP BY ${interval}: expected ${buckets} groups, got ${n}`);
    const s = summarize(await timeEach(10, run));
    log(`      raw SQL GROUP BY ${interval}: p50 ${ms(s.p50)}`);
    put(c, '4', { key: `agg.raw.${interval}`, label: `   raw SQL GROUP BY ${interval === '1h' ? 'hour' : 'day'} over the ${int(YEAR_MINUTES)} rows, p50`, value: `${ms(s.p50)} (n=${s.n})` });
  }
}

/** count/sum/avg/min/max per bucket straight from the raw rows, through the driver (no HTTP). */
function rawGroupBy(c: Ctx, ds: number, from: number, to: number, width: number): () => Promise<number> {
  const text = (p: (i: number) => string) => `SELECT (phenomenon_time_start + CAST(${p(1)} AS BIGINT)) / CAST(${p(2)} AS BIGINT) AS b, COUNT(*) AS n, SUM(result_num) AS s, AVG(result_num) AS a,
    MIN(result_num) AS lo, MAX(result_num) AS hi FROM observations
    WHERE datastream_id = CAST(${p(3)} AS BIGINT) AND phenomenon_time_start >= CAST(${p(4)} AS BIGINT) AND phenomenon_time_start < CAST(${p(5)} AS BIGINT) AND result_num IS NOT NULL
    GROUP BY b ORDER BY b`;
  const params = [TZ_OFFSET_MS, width, ds, from, to];
  if (c.p.db.dialect === 'sqlite') {
    const stmt = c.p.db.sqlite!.prepare(text(() => '?'));
    return async () => stmt.all(...params).length;
  }
  const q = text((i) => `$${i}`);
  return async () => (await c.p.db.pg!.query(q, params)).rows.length;
}

/** What each row measures, printed under the table and written beside it. */
const LEGEND = [
  `1. Real HTTP on 127.0.0.1 (app.listen on a free port); the client (node:http, keep-alive) runs in a child process of its own with pre-built, pre-encoded bodies of ${int(ROWS_PER_REQUEST)} observations (phenomenonTime, result) for one Datastream, ${CONCURRENCY} requests in flight; after ${int(WARMUP_ROWS)} observations of warm-up, ${INGEST_ROUNDS} timed rounds of ${int(INGEST_ROWS)} observations, each followed by the raw baselines of the same rows; the table gives the median of the rounds and their range in brackets. All observations are verified committed; each 201 answer arrives after the commit. "Server process CPU" is the user + system time of the server's process over the timed part, divided by the observations (less sensitive to other load on the machine than the rate).`,
  `   Raw baseline, the same ${int(WARMUP_ROWS)} warm-up + ${int(INGEST_ROWS)} timed rows as the round, ${int(ROWS_PER_REQUEST)}-row transactions, into a fresh table with the observations columns and indexes taken from the migrations, in-process (no HTTP, no parsing, no counters or rollups). SQLite: better-sqlite3, one prepared INSERT of the 13 columns run per row, WAL + synchronous=NORMAL + the same cache_size. "With FKs" checks the 3 references against stub parent tables as our schema does (SQLite: the REFERENCES clauses, foreign_keys=ON; PostgreSQL: the statement-level checks of migration 004 that replace its per-row foreign keys): that is the baseline the ratio target is measured against; "no FKs" drops them (foreign_keys=OFF). The multi-row reference inserts the way the server does (${SQLITE_MULTI_ROWS}-row INSERT statements of the non-null columns). PostgreSQL: pg, one INSERT … SELECT FROM unnest() of the 4 non-null columns per transaction, ${CONCURRENCY} connections in parallel.`,
  `2. GET /v1.1/Datastreams?$top=${LATEST_STREAMS}&$expand=Observations($orderby=phenomenonTime desc;$top=1), ${int(LATEST_STREAMS)} Datastreams of ${int(LATEST_PER_STREAM)} observations each (seeded with ObservationWriter.write); 30 timed requests after 2 warm-up, one at a time, time to the last byte.`,
  `3. GET /v1.1/Datastreams(id)/Observations?$count=true&$top=1 on one Datastream of ${int(COUNT_ROWS)} observations (seeded with ObservationWriter.write in ${int(SEED_BATCH)}-observation batches); up to 30 timed requests after 1 warm-up.`,
  `4. GET /v1.1/Datastreams(id)/Aggregate?interval=1h|1d&from=${YEAR_FROM}&to=${YEAR_TO} over ${int(YEAR_MINUTES)} minute observations; 20 timed requests after 1 warm-up. Raw SQL: count/sum/avg/min/max GROUP BY bucket over the raw rows through the driver in-process (no HTTP, no JSON), 10 runs.`,
];

// --- Driver -------------------------------------------------------------------------------------

async function dbAbout(b: Backend, p: Platform): Promise<string> {
  if (p.db.dialect === 'sqlite') {
    const v = (p.db.sqlite!.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
    const sync = ['OFF', 'NORMAL', 'FULL', 'EXTRA'][Number(p.db.sqlite!.pragma('synchronous', { simple: true }))];
    return `SQLite ${v} (better-sqlite3 ${packageVersion('better-sqlite3')}), journal_mode=${p.db.sqlite!.pragma('journal_mode', { simple: true })}, synchronous=${sync}, file in ${b.dir}`;
  }
  const show = async (name: string) => (await p.db.pg!.query(`SHOW ${name}`)).rows[0][name] as string;
  return `PostgreSQL ${await show('server_version')} (pg ${packageVersion('pg')}), synchronous_commit=${await show('synchronous_commit')}, fsync=${await show('fsync')}, shared_buffers=${await show('shared_buffers')}, pool of 10`;
}

async function runDatabase(makeBackend: () => Promise<Backend>, client: HttpClient): Promise<{ run: DatabaseRun; notes: string[] }> {
  const t0 = now();
  const backend = await makeBackend();
  cleanups.push(backend.cleanup);
  let p: Platform | undefined;
  const closeP = async () => {
    await p?.close();
    p = undefined;
  };
  cleanups.push(closeP);
  try {
    log(`\n=== ${backend.name} ===`);
    const config = loadConfig({ DATABASE_URL: backend.url, CANTHO_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'silent' });
    p = await createPlatform(config, { logger: pino({ level: 'silent' }), pgSchema: backend.pgSchema });
    const base = (await p.app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
    const about = await dbAbout(backend, p);
    log(`  ${about}\n  listening on ${base}; creating ${int(LATEST_STREAMS + 3)} Datastreams…`);
    const { ds, foi } = await setupEntities(p);
    const c: Ctx = { backend, p, base, client, ds, foi, figures: new Map(), notes: [] };
    // Ingest first, on a fresh table, like its raw baseline; the big seeds follow.
    if (ONLY.includes('1')) await guarded(c, '1', 'ingest', 'CreateObservations ingest', '≥ 100,000 obs/s', () => benchIngest(c));
    if (ONLY.includes('4')) await guarded(c, '4', 'agg.1h', 'Aggregate', '≤ 100 ms', () => benchAggregate(c));
    if (ONLY.includes('3')) await guarded(c, '3', 'count.p50', '$count on a big Datastream', '≤ 50 ms', () => benchCount(c));
    if (ONLY.includes('2')) await guarded(c, '2', 'latest.p50', 'latest of 1,000 Datastreams', '≤ 50 ms', () => benchLatest(c));
    const figures = ['1', '2', '3', '4'].flatMap((t) => c.figures.get(t) ?? []);
    const seconds_ = (now() - t0) / 1000;
    log(`  ${backend.name} done in ${Math.round(seconds_)} s`);
    return { run: { name: backend.name, about, figures, seconds: seconds_ }, notes: c.notes };
  } finally {
    await closeP();
    await backend.cleanup();
  }
}

function commandLine(): string {
  const env = ['CANTHO_BENCH_COUNT_ROWS', 'CANTHO_BENCH_INGEST_ROWS', 'CANTHO_BENCH_INGEST_ROUNDS', 'CANTHO_BENCH_CONCURRENCY', 'CANTHO_BENCH_DATABASES', 'CANTHO_BENCH_POSTGRES_URL', 'CANTHO_TEST_POSTGRES_URL']
    .filter((k) => process.env[k])
    .map((k) => `${k}=${redact(process.env[k]!)}`);
  const cmd = process.env.npm_lifecycle_event === 'bench:sensing' ? 'npm run bench:sensing' : 'npx tsx bench/sensing.bench.ts';
  return [...env, cmd].join(' ');
}

async function main(): Promise<void> {
  const m = machineInfo();
  const started = new Date();
  const machineLine = `nproc ${m.nproc}, ${m.cpuModel}, ${m.memoryGiB} GiB RAM, ${m.kernel}, Node ${m.node}, Fastify ${packageVersion('fastify')}`;
  log(`cantho sensing benchmark, ${started.toISOString()}\n  machine: ${machineLine}\n  command: ${commandLine()}`);
  log(`  sizes: ingest ${INGEST_ROUNDS} × ${int(INGEST_ROWS)} obs after ${int(WARMUP_ROWS)} warm-up; $count Datastream ${int(COUNT_ROWS)} obs; aggregate ${int(YEAR_MINUTES)} obs; latest ${int(LATEST_STREAMS)} × ${int(LATEST_PER_STREAM)} obs`);

  const plans: { name: string; make: () => Promise<Backend> }[] = [];
  if (DATABASES.includes('sqlite')) plans.push({ name: 'SQLite', make: async () => sqliteBackend() });
  if (DATABASES.includes('postgres')) {
    if (PG_URL) plans.push({ name: 'PostgreSQL', make: () => postgresBackend(PG_URL) });
    else log('  PostgreSQL: not run (set CANTHO_BENCH_POSTGRES_URL or CANTHO_TEST_POSTGRES_URL)');
  }

  const client = HttpClient.start();
  cleanups.push(() => client.close());
  const runs: DatabaseRun[] = [];
  const notes: string[] = [];
  try {
    for (const plan of plans) {
      const r = await runDatabase(plan.make, client);
      runs.push(r.run);
      notes.push(...r.notes);
    }
  } finally {
    await client.close();
  }

  log(`\n${textTable(runs)}\n`);
  for (const l of LEGEND) log(l);
  for (const r of runs) log(`${r.name}: ${r.about}; ran ${Math.round(r.seconds)} s`);
  for (const n of notes) log(`note: ${n}`);

  if (WRITE_DOCS && runs.length) {
    const file = new URL('../docs/benchmarks.md', import.meta.url).pathname;
    const section = [
      `Last run: ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, \`${commandLine()}\``,
      '',
      `- Machine: ${machineLine}; the HTTP client runs in a child process on the same machine.`,
      ...runs.map((r) => `- ${r.name}: ${r.about}; this database took ${Math.round(r.seconds)} s.`),
      ...(PG_URL || !DATABASES.includes('postgres') ? [] : ['- PostgreSQL: not run (no CANTHO_BENCH_POSTGRES_URL / CANTHO_TEST_POSTGRES_URL).']),
      `- Sizes: ingest ${INGEST_ROUNDS} rounds of ${int(INGEST_ROWS)} obs measured after ${int(WARMUP_ROWS)} warm-up; $count Datastream ${int(COUNT_ROWS)} obs; aggregate ${int(YEAR_MINUTES)} obs; latest ${int(LATEST_STREAMS)} × ${int(LATEST_PER_STREAM)} obs.`,
      '',
      markdownTable(runs),
      '',
      ...LEGEND.map((l) => `- ${l.trim()}`),
      ...(notes.length ? ['', ...notes.map((n) => `Note: ${n}`)] : []),
    ].join('\n');
    updateFiguresSection(file, section, '# Benchmarks\n');
    log(`figures written to docs/benchmarks.md`);
  }
}

let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  log('\ninterrupted: cleaning up temp files and schemas…');
  void (async () => {
    for (const f of cleanups.reverse()) await Promise.resolve(f()).catch(() => {});
    process.exit(130);
  })();
});

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);

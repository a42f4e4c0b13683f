/**
 * The largest CreateObservations, on SQLite (`npm run bench:bulk`): a request of
 * CANTHO_BENCH_BULK_ROWS rows (default 100,000, the maximum a request may hold) for one Datastream,
 * over HTTP, while a 2 ms timer measures the longest stall of the server's event loop. cantho runs
 * as it does by default (2 read threads), where the rows are inserted in slices of 10,000 with a
 * turn of the event loop between them; the baseline, in the same run, is a server with
 * CANTHO_SQLITE_READ_THREADS=0, where the insert runs as one stretch (turnInsideWrite). Rounds
 * alternate (CANTHO_BENCH_BULK_ROUNDS, default 5); medians are reported. Prints the figures and
 * rewrites their section of docs/benchmarks.md (CANTHO_BENCH_DOCS=0: not).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config/config.ts';
import { createPlatform, type Platform } from '../src/server/platform.ts';
import { machineInfo } from './lib/machine.ts';
import { replaceMarkedSection } from './lib/report.ts';
import { median, stallDuring } from './lib/stall.ts';

const ROWS = Number(process.env.CANTHO_BENCH_BULK_ROWS ?? 100_000);
const ROUNDS = Number(process.env.CANTHO_BENCH_BULK_ROUNDS ?? 5);
const KEY = 'bench-admin-key-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'cantho-bulk-'));
const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

interface Server {
  p: Platform;
  base: string;
  ds: number;
}

async function server(name: string, readThreads: number): Promise<Server> {
  const p = await createPlatform(
    loadConfig({ DATABASE_URL: join(dir, `${name}.db`), CANTHO_BOOTSTRAP_ADMIN_KEY: KEY, LOG_LEVEL: 'warn', MQTT_ENABLED: 'false', HOST: '127.0.0.1', CANTHO_SQLITE_READ_THREADS: String(readThreads) }),
    { logger: pino({ level: 'warn' }) },
  );
  await p.app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(p.app.server.address() as { port: number }).port}/v1.1`;
  const r = await fetch(`${base}/Things`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      name, description: 'd', Locations: [{ name: 'l', description: 'l', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.7, 10] } }],
      Datastreams: [{ name: 'x', description: 'd', observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement', unitOfMeasurement: {},
        Sensor: { name: 's', description: 's', encodingType: 'text/plain', metadata: 'm' }, ObservedProperty: { name: 'o', definition: 'o', description: 'o' } }],
    }),
  });
  const thing = ((await r.json()) as { '@iot.id': number })['@iot.id'];
  const ds = ((await (await fetch(`${base}/Things(${thing})/Datastreams?$select=id`)).json()) as { value: { '@iot.id': number }[] }).value[0]!['@iot.id'];
  return { p, base, ds };
}

/** One request of ROWS minute observations starting at `from` (its body is built before the timing). */
async function post(s: Server, from: number): Promise<{ ms: number; stall: number }> {
  const body = JSON.stringify([{ Datastream: { '@iot.id': s.ds }, components: ['phenomenonTime', 'result'], dataArray: Array.from({ length: ROWS }, (_, k) => [new Date(from + k * 60_000).toISOString(), (k % 1000) / 10]) }]);
  return stallDuring(async () => {
    const r = await fetch(`${s.base}/CreateObservations`, { method: 'POST', headers, body });
    const text = await r.text();
    if (r.status !== 201) throw new Error(`CreateObservations answered ${r.status}: ${text.slice(0, 200)}`);
  });
}

const ours = await server('ours', 2);
const base = await server('baseline', 0);
const got = { ours: [] as { ms: number; stall: number }[], base: [] as { ms: number; stall: number }[] };
// One warm-up request each (JIT), then alternating timed rounds.
for (let round = -1; round < ROUNDS; round++) {
  const from = Date.UTC(2024, 0, 1) + (round + 1) * ROWS * 60_000;
  const a = await post(ours, from);
  const b = await post(base, from);
  if (round < 0) continue;
  got.ours.push(a);
  got.base.push(b);
  console.log(`round ${round + 1}/${ROUNDS}: cantho ${a.ms.toFixed(0)} ms (longest stall ${a.stall.toFixed(0)} ms); baseline ${b.ms.toFixed(0)} ms (stall ${b.stall.toFixed(0)} ms)`);
}
await ours.p.close();
await base.p.close();
rmSync(dir, { recursive: true, force: true });

const f = (xs: { ms: number; stall: number }[], k: 'ms' | 'stall') => `${Math.round(median(xs.map((x) => x[k]))).toLocaleString('en-US')} ms`;
const rows = [
  `| CreateObservations of ${ROWS.toLocaleString('en-US')} rows for one Datastream, over HTTP: time to the answer | ${f(got.ours, 'ms')} | ${f(got.base, 'ms')} |`,
  `| longest stall of the event loop meanwhile | ${f(got.ours, 'stall')} | ${f(got.base, 'stall')} |`,
];
console.log(rows.join('\n'));
if (process.env.CANTHO_BENCH_DOCS !== '0') {
  const m = machineInfo();
  replaceMarkedSection(new URL('../docs/benchmarks.md', import.meta.url).pathname, { begin: '<!-- BEGIN bulk figures: generated by bench/bulk-create.bench.ts, do not edit by hand -->', end: '<!-- END bulk figures -->', heading: 'Large CreateObservations (SQLite)' }, [
    `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`npm run bench:bulk\` (medians of ${ROUNDS} alternating rounds after one warm-up each; nproc ${m.nproc}, ${m.cpuModel}, Node ${m.node}).`,
    '',
    '| Measure (SQLite) | cantho (2 read threads: inserts in slices of 10,000) | baseline: `CANTHO_SQLITE_READ_THREADS=0` (the insert in one stretch) |',
    '|---|---|---|',
    ...rows,
  ].join('\n'));
}

/**
 * A DELETE that cascades over many Observations, on SQLite (`npm run bench:delete`). A Thing whose
 * Datastream holds CANTHO_BENCH_DELETE_ROWS Observations (default 1,000,000) is deleted over HTTP
 * while a 2 ms timer measures the longest stall of the server's event loop. Beside it, in the same
 * run, the baseline: the same cascade as one statement through the driver, which is what the server
 * ran before `deleteInChunks` (entity-updater.ts), holding the event loop for all of it. Rounds
 * alternate (CANTHO_BENCH_DELETE_ROUNDS, default 3); medians are reported. PostgreSQL deletes in
 * its own process, so it is not measured here. Prints the figures and rewrites their section of
 * docs/benchmarks.md (CANTHO_BENCH_DOCS=0: not).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config/config.ts';
import { createPlatform } from '../src/server/platform.ts';
import { machineInfo } from './lib/machine.ts';
import { replaceMarkedSection } from './lib/report.ts';

const ROWS = Number(process.env.CANTHO_BENCH_DELETE_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.CANTHO_BENCH_DELETE_ROUNDS ?? 3);
const KEY = 'bench-admin-key-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'cantho-delete-'));
const p = await createPlatform(loadConfig({ DATABASE_URL: join(dir, 'd.db'), CANTHO_BOOTSTRAP_ADMIN_KEY: KEY, LOG_LEVEL: 'warn', MQTT_ENABLED: 'false', HOST: '127.0.0.1' }), {
  logger: pino({ level: 'warn' }),
});
await p.app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(p.app.server.address() as { port: number }).port}/v1.1`;
const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

/** A Thing with one Datastream of ROWS Observations; its id. */
async function bigThing(name: string): Promise<number> {
  const r = await fetch(`${base}/Things`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({
      name, description: 'd', Locations: [{ name: 'l', description: 'l', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.7, 10] } }],
      Datastreams: [{ name: 'x', description: 'd', observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement', unitOfMeasurement: {},
        Sensor: { name: 's', description: 's', encodingType: 'text/plain', metadata: 'm' }, ObservedProperty: { name: `o-${name}`, definition: 'o', description: 'o' } }],
    }),
  });
  const thing = ((await r.json()) as { '@iot.id': number })['@iot.id'];
  const ds = ((await (await fetch(`${base}/Things(${thing})/Datastreams?$select=id`)).json()) as { value: { '@iot.id': number }[] }).value[0]!['@iot.id'];
  for (let at = 0; at < ROWS; at += 20_000) {
    await p.sensing.observations.write(Array.from({ length: Math.min(20_000, ROWS - at) }, (_, k) => ({ datastreamId: ds, phenomenonStart: 1.7e12 + (at + k) * 60_000, result: k % 1000 })));
  }
  return thing;
}

/** Runs `fn` and measures it and the longest gap between two ticks of a 2 ms timer meanwhile. */
async function stallDuring(fn: () => Promise<void> | void): Promise<{ ms: number; stall: number }> {
  let last = performance.now();
  let stall = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 2);
  await new Promise((r) => setTimeout(r, 20));
  stall = 0;
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  // The tick held up by a synchronous stretch comes after it.
  await new Promise((r) => setTimeout(r, 20));
  clearInterval(timer);
  return { ms, stall };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ours: { ms: number; stall: number }[] = [];
const raw: { ms: number; stall: number }[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const a = await bigThing(`ours-${round}`);
  ours.push(
    await stallDuring(async () => {
      const r = await fetch(`${base}/Things(${a})`, { method: 'DELETE', headers: auth });
      if (r.status !== 200) throw new Error(`DELETE answered ${r.status}: ${await r.text()}`);
    }),
  );
  const b = await bigThing(`raw-${round}`);
  const sqlite = p.db.sqlite!;
  raw.push(await stallDuring(() => void sqlite.prepare('DELETE FROM things WHERE id = ?').run(b)));
  console.log(`round ${round + 1}/${ROUNDS}: cantho ${ours.at(-1)!.ms.toFixed(0)} ms (longest stall ${ours.at(-1)!.stall.toFixed(0)} ms); one statement ${raw.at(-1)!.ms.toFixed(0)} ms (stall ${raw.at(-1)!.stall.toFixed(0)} ms)`);
}
await p.close();
rmSync(dir, { recursive: true, force: true });

const f = (xs: { ms: number; stall: number }[], k: 'ms' | 'stall') => `${Math.round(median(xs.map((x) => x[k]))).toLocaleString('en-US')} ms`;
const rows = [
  `| DELETE of a Thing whose Datastream holds ${ROWS.toLocaleString('en-US')} Observations, over HTTP: time | ${f(ours, 'ms')} | ${f(raw, 'ms')} |`,
  `| longest stall of the event loop meanwhile | ${f(ours, 'stall')} | ${f(raw, 'stall')} |`,
];
console.log(rows.join('\n'));
if (process.env.CANTHO_BENCH_DOCS !== '0') {
  const m = machineInfo();
  replaceMarkedSection(new URL('../docs/benchmarks.md', import.meta.url).pathname, { begin: '<!-- BEGIN delete figures: generated by bench/delete.bench.ts, do not edit by hand -->', end: '<!-- END delete figures -->', heading: 'Deletes (SQLite)' }, [
    `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`npm run bench:delete\` (medians of ${ROUNDS} alternating rounds; nproc ${m.nproc}, ${m.cpuModel}, Node ${m.node}).`,
    '',
    '| Measure (SQLite) | cantho (cascade in chunks of 10,000) | baseline: the cascade as one statement |',
    '|---|---|---|',
    ...rows,
  ].join('\n'));
}

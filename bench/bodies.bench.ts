/**
 * Memory under many large requests at once, on SQLite (`npm run bench:bodies`):
 * CANTHO_BENCH_BODIES_REQUESTS (default 40) CreateObservations of CANTHO_BENCH_BULK_ROWS rows
 * (default 100,000, about 3.4 MiB each) sent together to a `cantho serve` process of its own, whose
 * peak RSS (VmHWM) and time to the last answer are reported. cantho runs with its default
 * CANTHO_BODY_BUFFER; the baseline, in the same run, is the same server with a budget no request
 * reaches (16 GiB), which is how the server behaved before it had one. Rounds alternate
 * (CANTHO_BENCH_BODIES_ROUNDS, default 3), each on a new process; medians are reported. Prints the
 * figures and rewrites their section of docs/benchmarks.md (CANTHO_BENCH_DOCS=0: not).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineInfo } from './lib/machine.ts';
import { replaceMarkedSection } from './lib/report.ts';
import { median } from './lib/stall.ts';
import { measurementThing } from './lib/thing.ts';

const REQUESTS = Number(process.env.CANTHO_BENCH_BODIES_REQUESTS ?? 40);
const ROWS = Number(process.env.CANTHO_BENCH_BULK_ROWS ?? 100_000);
const ROUNDS = Number(process.env.CANTHO_BENCH_BODIES_ROUNDS ?? 3);
const KEY = 'bench-admin-key-0123456789abcdef';
const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const dir = mkdtempSync(join(tmpdir(), 'cantho-bodies-'));
const root = new URL('..', import.meta.url).pathname;

/** A server process on a new database; resolves once it answers /health. */
async function serve(name: string, env: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const port = 18_000 + Math.floor(Math.random() * 2000);
  const child = spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env, DATABASE_URL: join(dir, `${name}.db`), PORT: String(port), HOST: '127.0.0.1', MQTT_ENABLED: 'false', LOG_LEVEL: 'warn', CANTHO_BOOTSTRAP_ADMIN_KEY: KEY },
  });
  let errors = '';
  child.stderr!.on('data', (d) => (errors += d));
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the ${name} server exited with ${child.exitCode}: ${errors}`);
    const up = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
    if (up) return { child, base: `http://127.0.0.1:${port}/v1.1` };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`the ${name} server did not come up`);
}

const peakMiB = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** REQUESTS bodies sent at once to a new server; its peak RSS and the time to the last answer. */
async function round(name: string, env: Record<string, string>): Promise<{ mib: number; ms: number }> {
  const { child, base } = await serve(name, env);
  try {
    const { ds } = await measurementThing(base, headers, name);
    const from = Date.UTC(2024, 0, 1);
    const bodies = Array.from({ length: REQUESTS }, (_, r) =>
      JSON.stringify([{ Datastream: { '@iot.id': ds }, components: ['phenomenonTime', 'result'], dataArray: Array.from({ length: ROWS }, (_, k) => [new Date(from + (r * ROWS + k) * 1000).toISOString(), (k % 1000) / 10]) }]),
    );
    const t0 = performance.now();
    await Promise.all(
      bodies.map(async (body) => {
        const r = await fetch(`${base}/CreateObservations`, { method: 'POST', headers, body });
        const text = await r.text();
        if (r.status !== 201) throw new Error(`CreateObservations answered ${r.status}: ${text.slice(0, 200)}`);
      }),
    );
    const ms = performance.now() - t0;
    return { mib: peakMiB(child.pid!), ms };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const got = { ours: [] as { mib: number; ms: number }[], base: [] as { mib: number; ms: number }[] };
for (let r = 0; r < ROUNDS; r++) {
  const a = await round(`ours-${r}`, {});
  const b = await round(`base-${r}`, { CANTHO_BODY_BUFFER: String(16 * 1024 ** 3) });
  got.ours.push(a);
  got.base.push(b);
  console.log(`round ${r + 1}/${ROUNDS}: cantho ${a.mib.toFixed(0)} MiB, ${(a.ms / 1000).toFixed(1)} s; baseline ${b.mib.toFixed(0)} MiB, ${(b.ms / 1000).toFixed(1)} s`);
}
rmSync(dir, { recursive: true, force: true });

const mib = (xs: { mib: number }[]) => `${Math.round(median(xs.map((x) => x.mib))).toLocaleString('en-US')} MiB`;
const secs = (xs: { ms: number }[]) => `${(median(xs.map((x) => x.ms)) / 1000).toFixed(1)} s`;
const size = `${ROWS.toLocaleString('en-US')} rows`;
const rows = [
  `| ${REQUESTS} CreateObservations of ${size} each, sent at once: peak RSS of the server | ${mib(got.ours)} | ${mib(got.base)} |`,
  `| time to the last answer | ${secs(got.ours)} | ${secs(got.base)} |`,
];
console.log(rows.join('\n'));
if (process.env.CANTHO_BENCH_DOCS !== '0') {
  const m = machineInfo();
  replaceMarkedSection(new URL('../docs/benchmarks.md', import.meta.url).pathname, { begin: '<!-- BEGIN bodies figures: generated by bench/bodies.bench.ts, do not edit by hand -->', end: '<!-- END bodies figures -->', heading: 'Many large requests at once (SQLite)' }, [
    `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`npm run bench:bodies\` (medians of ${ROUNDS} alternating rounds, each on a new server process; nproc ${m.nproc}, ${m.cpuModel}, Node ${m.node}).`,
    '',
    '| Measure (SQLite) | cantho (`CANTHO_BODY_BUFFER` default, 16 MiB) | baseline: no budget (`CANTHO_BODY_BUFFER` 16 GiB) |',
    '|---|---|---|',
    ...rows,
  ].join('\n'));
}

/**
 * Clients that stop reading, on SQLite (`npm run bench:slow`), each case on `cantho serve`
 * processes of its own, beside a baseline in the same run without such clients:
 * - MQTT: 20 subscribers that stop reading, and one that reads, follow a Datastream while 100,000
 *   Observations are created over HTTP (10 CreateObservations of 10,000): how many the reader got
 *   and when, and the server's peak RSS; the baseline has the reader alone;
 * - SSE: 100 live-push clients that never read follow the same while 300,000 arrive: peak RSS;
 *   the baseline has no client;
 * - QoS 2: 4 anonymous clients each send 1,000 QoS 2 messages of 200 KB and never send PUBREL:
 *   peak RSS; the baseline is the same server before them;
 * - large packets: 8 anonymous clients each send a PUBLISH of 64 MiB: peak RSS, before and after;
 * - HTTP answers: 600 anonymous connections from one address, then from 50 (50 a second), ask for
 *   a page of 10,000 Observations with `$expand=Datastream` and never read it, while a client that
 *   reads asks for a small page every 100 ms and for the large one every second: peak RSS and what
 *   the reader got; the baseline is the same server without the bounds (CANTHO_ANSWER_BUFFER of
 *   16 GiB, a million answers per client, no send timeout).
 * `BENCH_CASES=mqtt,sse,qos2,large,answers` runs some of them only.
 * Prints the figures and rewrites their section of docs/benchmarks.md (CANTHO_BENCH_DOCS=0: not).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcp, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { rawMqtt } from '../src/testing/mqtt-raw.ts';
import { machineInfo } from './lib/machine.ts';
import { replaceMarkedSection } from './lib/report.ts';
import { BENCH_KEY, peakMiB, rssMiB, serve } from './lib/serve.ts';
import { measurementThing } from './lib/thing.ts';

const dir = mkdtempSync(join(tmpdir(), 'cantho-slow-'));
const headers = { authorization: `Bearer ${BENCH_KEY}`, 'content-type': 'application/json' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BATCH = 10_000;

/** `batches` CreateObservations of 10,000 rows for `ds`, one after the other. */
async function create(base: string, ds: number, batches: number): Promise<void> {
  const t0 = Date.UTC(2024, 0, 1);
  for (let k = 0; k < batches; k++) {
    const body = JSON.stringify([{ Datastream: { '@iot.id': ds }, components: ['phenomenonTime', 'result'], dataArray: Array.from({ length: BATCH }, (_, i) => [new Date(t0 + (k * BATCH + i) * 1000).toISOString(), i / 2]) }]);
    const r = await fetch(`${base}/CreateObservations`, { method: 'POST', headers, body });
    if (r.status !== 201) throw new Error(`CreateObservations answered ${r.status}: ${(await r.text()).slice(0, 200)}`);
  }
}

/** Raw connections (from `from`) that send `request` and then never read (after `readMs`). */
function stalled(port: number, n: number, request: (i: number) => Buffer | string, readMs = 300, from = '127.0.0.1'): Socket[] {
  return Array.from({ length: n }, (_, i) => {
    const s = tcp({ port, host: '127.0.0.1', localAddress: from });
    s.on('error', () => {});
    s.write(request(i));
    if (readMs > 0) setTimeout(() => s.pause(), readMs);
    else s.pause();
    return s;
  });
}

async function mqttCase(name: string, stalledSubscribers: number) {
  const mqttPort = 20_000 + Math.floor(Math.random() * 2000);
  const { child, base, stop } = await serve(dir, name, { MQTT_ENABLED: 'true', MQTT_PORT: String(mqttPort), MQTT_WS_PATH: 'off' });
  try {
    const { ds } = await measurementThing(base, headers, name);
    const topic = `v1.1/Datastreams(${ds})/Observations`;
    const slow = stalled(mqttPort, stalledSubscribers, (i) => Buffer.concat([rawMqtt.connect(`slow-${i}`), rawMqtt.subscribe(topic, 1)]));
    const reader = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { reconnectPeriod: 0 });
    let got = 0;
    let lastAt = 0;
    reader.on('message', () => {
      got++;
      lastAt = performance.now();
    });
    await reader.subscribeAsync(topic, { qos: 1 });
    await sleep(1000);
    const t0 = performance.now();
    await create(base, ds, 10);
    for (let i = 0; i < 300 && got < 10 * BATCH; i++) await sleep(100);
    await reader.endAsync(true);
    for (const s of slow) s.destroy();
    return { got, s: got ? (lastAt - t0) / 1000 : NaN, mib: peakMiB(child.pid!) };
  } finally {
    await stop();
  }
}

async function sseCase(name: string, clients: number) {
  const { child, base, port, stop } = await serve(dir, name);
  try {
    const { ds } = await measurementThing(base, headers, name);
    const slow = stalled(port, clients, () => `GET /api/live?datastreams=${ds} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n`);
    await sleep(1000);
    await create(base, ds, 30);
    await sleep(1000);
    for (const s of slow) s.destroy();
    return { mib: peakMiB(child.pid!) };
  } finally {
    await stop();
  }
}

/**
 * `n` anonymous MQTT clients each connect to a server of its own and then `send` (resolving when done);
 * the server's peak RSS before and after.
 */
async function anonymousCase(name: string, n: number, send: (s: Socket, done: () => void) => void) {
  const mqttPort = 20_000 + Math.floor(Math.random() * 2000);
  const { child, stop } = await serve(dir, name, { MQTT_ENABLED: 'true', MQTT_PORT: String(mqttPort), MQTT_WS_PATH: 'off' });
  try {
    const before = peakMiB(child.pid!);
    await Promise.all(
      Array.from(
        { length: n },
        (_, c) =>
          new Promise<void>((resolve) => {
            const s = tcp(mqttPort, '127.0.0.1');
            s.on('error', () => resolve());
            s.on('close', () => resolve());
            s.write(rawMqtt.connect(`${name}-${c}`));
            s.once('data', () => send(s, resolve));
          }),
      ),
    );
    await sleep(500);
    return { before, after: peakMiB(child.pid!) };
  } finally {
    await stop();
  }
}

/** 1,000 QoS 2 messages of 200 KB, and no PUBREL: the client goes once it has every PUBREC. */
const qos2Case = (name: string) =>
  anonymousCase(name, 4, async (s, done) => {
    const payload = Buffer.alloc(200_000, 0x61);
    let acks = 0;
    s.on('data', (d: Buffer) => {
      acks += d.length / 4; // PUBRECs, 4 bytes each
      if (acks >= 1000) {
        s.destroy();
        done();
      }
    });
    for (let i = 1; i <= 1000; i++) if (!s.write(rawMqtt.publish('v1.1/Observations', payload, 2, i))) await new Promise((r) => s.once('drain', r));
  });

/** One PUBLISH of 64 MiB. */
const largeCase = (name: string) => anonymousCase(name, 8, (s) => s.end(rawMqtt.publish('v1.1/Observations', Buffer.alloc(64 * 1024 * 1024, 0x61), 1)));

/**
 * Connections from `addresses` addresses (127.0.0.2 on) that ask for a page of 10,000 Observations
 * with `$expand=Datastream` and never read it, 50 more every second for 12 seconds, spread over the
 * addresses; meanwhile, for 20 s, a client that reads asks for a small page every 100 ms and for
 * the large page every second. The server's peak RSS before and after, its RSS at the end, and
 * what the reader got.
 */
async function answersCase(name: string, env: Record<string, string>, addresses = 1) {
  const [wave, waves, seconds] = [50, 12, 20];
  const { child, base, port, stop } = await serve(dir, name, env);
  const slow: Socket[] = [];
  try {
    const { ds } = await measurementThing(base, headers, name);
    await create(base, ds, 1);
    const page = `/v1.1/Datastreams(${ds})/Observations?$top=${BATCH}&$expand=Datastream`;
    const bytes = (await (await fetch(`http://127.0.0.1:${port}${page}`)).arrayBuffer()).byteLength;
    const before = peakMiB(child.pid!);
    const small: number[] = [];
    const large = { ok: 0, busy: 0, other: 0 };
    const end = performance.now() + seconds * 1000;
    const attack = (async () => {
      for (let w = 0; w < waves; w++) {
        for (let a = 0; a < addresses; a++) slow.push(...stalled(port, wave / addresses, () => `GET ${page} HTTP/1.1\r\nHost: x\r\n\r\n`, 0, `127.0.0.${2 + a}`));
        await sleep(1000);
      }
    })();
    const smallReads = (async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const r = await fetch(`${base}/Datastreams(${ds})/Observations?$top=10`);
        await r.arrayBuffer();
        if (r.ok) small.push(performance.now() - t);
        await sleep(100);
      }
    })();
    while (performance.now() < end) {
      const r = await fetch(`http://127.0.0.1:${port}${page}`);
      await r.arrayBuffer();
      if (r.ok) large.ok++;
      else if (r.status === 503) large.busy++;
      else large.other++;
      await sleep(1000);
    }
    await Promise.all([attack, smallReads]);
    const rss = rssMiB(child.pid!);
    small.sort((a, b) => a - b);
    return { bytes, before, peak: peakMiB(child.pid!), rss, large, smallOk: small.length, smallP99: small[Math.floor(small.length * 0.99)] ?? Number.NaN };
  } finally {
    for (const s of slow) s.destroy();
    await stop();
  }
}

const cases = new Set((process.env.BENCH_CASES ?? 'mqtt,sse,qos2,large,answers').split(','));
const n = (x: number) => Math.round(x).toLocaleString('en-US');
const rows: string[] = [];
if (cases.has('mqtt')) {
  const lone = await mqttCase('mqtt-alone', 0);
  const crowd = await mqttCase('mqtt-stalled', 20);
  rows.push(
    `| MQTT: 100,000 Observations created over HTTP; what a subscriber that reads got, and when | beside 20 subscribers that stopped reading: ${n(crowd.got)} in ${crowd.s.toFixed(1)} s | alone: ${n(lone.got)} in ${lone.s.toFixed(1)} s |`,
    `| the same: peak RSS of the server | ${n(crowd.mib)} MiB | ${n(lone.mib)} MiB |`,
  );
}
if (cases.has('sse')) {
  const quiet = await sseCase('sse-none', 0);
  const sse = await sseCase('sse-stalled', 100);
  rows.push(`| live push: 300,000 Observations arrive; peak RSS of the server | with 100 SSE clients that never read: ${n(sse.mib)} MiB | with no client: ${n(quiet.mib)} MiB |`);
}
if (cases.has('qos2')) {
  const q2 = await qos2Case('qos2');
  rows.push(`| QoS 2: 4 anonymous clients each send 1,000 messages of 200 KB and no PUBREL; peak RSS | after: ${n(q2.after)} MiB | before: ${n(q2.before)} MiB |`);
}
if (cases.has('large')) {
  const large = await largeCase('large');
  rows.push(`| 8 anonymous clients each send a PUBLISH of 64 MiB (above MQTT_MAX_PACKET_SIZE); peak RSS | after: ${n(large.after)} MiB | before: ${n(large.before)} MiB |`);
}
if (cases.has('answers')) {
  const unbounds = { CANTHO_ANSWER_BUFFER: String(16 * 1024 ** 3), CANTHO_ANSWERS_PER_CLIENT: '1000000', CANTHO_SEND_TIMEOUT_MS: '0' };
  const rss = (a: Awaited<ReturnType<typeof answersCase>>) => `peak ${n(a.peak)} MiB, at the end ${n(a.rss)} MiB (before them ${n(a.before)})`;
  const got = (a: Awaited<ReturnType<typeof answersCase>>) => `${n(a.smallOk)} small pages (p99 ${n(a.smallP99)} ms); the large one ${a.large.ok} times, ${a.large.busy} times 503 BUSY${a.large.other ? `, ${a.large.other} times another error` : ''}`;
  for (const addresses of [1, 50]) {
    const bounded = await answersCase(`answers-${addresses}`, {}, addresses);
    const unbounded = await answersCase(`answers-${addresses}-unbounded`, unbounds, addresses);
    const from = addresses === 1 ? 'from one address' : `from ${addresses} addresses`;
    rows.push(
      `| HTTP: 600 connections ${from} (50 a second) ask for a page of ${(bounded.bytes / 1024 ** 2).toFixed(1)} MiB (10,000 Observations, \`$expand=Datastream\`) and never read; RSS of the server | ${rss(bounded)} | without the bounds: ${rss(unbounded)} |`,
      `| the same, for 20 s: what a client that reads got (a small page every 100 ms, the large one every second) | ${got(bounded)} | ${got(unbounded)} |`,
    );
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(rows.join('\n'));
if (process.env.CANTHO_BENCH_DOCS !== '0' && !process.env.BENCH_CASES) {
  const m = machineInfo();
  replaceMarkedSection(new URL('../docs/benchmarks.md', import.meta.url).pathname, { begin: '<!-- BEGIN slow figures: generated by bench/slow-clients.bench.ts, do not edit by hand -->', end: '<!-- END slow figures -->', heading: 'Clients that stop reading (SQLite)' }, [
    `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`npm run bench:slow\` (each case on server processes of its own; nproc ${m.nproc}, ${m.cpuModel}, Node ${m.node}).`,
    '',
    '| Measure (SQLite) | cantho | baseline in the same run |',
    '|---|---|---|',
    ...rows,
  ].join('\n'));
}

/**
 * The fan-out between nodes (`npm run bench:fanout`; NATS at CANTHO_BENCH_NATS_URL, default
 * nats://127.0.0.1:4222, with JetStream): two nodes in this process each commit a batch of
 * CANTHO_BENCH_FANOUT_BATCH changes (default 250, a group commit under QoS 1 load) every 5 ms for
 * CANTHO_BENCH_SECONDS (default 20), and each batch's latency from publish on one node to delivery
 * on the other is measured. cantho's JetStream fan-out (a stream, acknowledged publishes, ordered
 * consumers) runs against the baseline of the same run: core NATS publish/subscribe of the same
 * messages, which is what the fan-out used before and which loses what is published while a node
 * is cut off. For JetStream it also measures what live push (SSE) waits for with several nodes:
 * every node, the publishing one included, takes each change from the stream in its order.
 * Prints the figures and rewrites their section of docs/benchmarks.md
 * (CANTHO_BENCH_DOCS=0: not).
 */
import { connect, headers } from 'nats';
import pino from 'pino';
import type { Change } from '../src/ingest/changes.ts';
import { NatsFanout, streamName } from '../src/ingest/fanout.ts';
import { machineInfo } from './lib/machine.ts';
import { replaceMarkedSection } from './lib/report.ts';
import { int, percentile } from './lib/stats.ts';

const URL = process.env.CANTHO_BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
const SECONDS = Number(process.env.CANTHO_BENCH_SECONDS ?? 20);
const BATCH = Number(process.env.CANTHO_BENCH_FANOUT_BATCH ?? 250);
const EVERY_MS = 5;
const logger = pino({ level: 'warn' });

/** One node's side of a fan-out: publish a batch, and a callback for what the other nodes send. */
interface Node {
  publish(batch: Change[]): void;
  close(): Promise<void>;
}
type Make = (subject: string, onRemote: (batch: Change[]) => void, onSequenced: (batch: Change[]) => void) => Promise<Node>;

const jetstream: Make = (subject, onRemote, onSequenced) => NatsFanout.connect(URL, subject, onRemote, logger, { onSequenced });

/** The baseline: core NATS, every node subscribed to the subject, its own messages skipped. */
const core: Make = async (subject, onRemote) => {
  const nc = await connect({ servers: URL });
  const me = Math.random().toString(36).slice(2);
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  nc.subscribe(subject, {
    callback: (_err, msg) => {
      if (msg.headers?.get('n') === me) return;
      onRemote(JSON.parse(dec.decode(msg.data)) as Change[]);
    },
  });
  await nc.flush();
  const h = headers();
  h.set('n', me);
  return {
    publish: (batch) => nc.publish(subject, enc.encode(JSON.stringify(batch)), { headers: h }),
    close: () => nc.drain(),
  };
};

function batchOf(first: number, t: number): Change[] {
  return Array.from({ length: BATCH }, (_, i) => ({
    e: 'Observation',
    id: first + i,
    k: 'create',
    o: { ds: 1 + (i % 16), mds: null, foi: 1 + (i % 16), ps: t, pe: null, rt: null, result: 1.92 + i / 1000, rq: null, vs: null, ve: null, params: null },
  }));
}

interface Result {
  sent: number;
  delivered: number;
  duplicates: number;
  p50: number;
  p99: number;
  max: number;
  /** JetStream: publish → the stream's delivery on both nodes (live push's path), p50 / p99. */
  ordered?: [number, number];
}

async function run(make: Make, subject: string): Promise<Result> {
  const sentAt = new Map<number, number>();
  const seen = new Set<number>();
  const lat: number[] = [];
  let delivered = 0;
  let duplicates = 0;
  const onRemote = (batch: Change[]) => {
    const now = performance.now();
    for (const c of batch) {
      if (seen.has(c.id)) duplicates++;
      seen.add(c.id);
      delivered++;
      const t = sentAt.get(c.id);
      if (t !== undefined) {
        lat.push(now - t);
        sentAt.delete(c.id);
      }
    }
  };
  // Each batch comes back in stream order on both nodes: timed until both have it.
  const orderedLat: number[] = [];
  const orderedAt = new Map<number, { t: number; left: number }>();
  const onSequenced = (batch: Change[]) => {
    const id = batch[0]!.id;
    const o = orderedAt.get(id);
    if (!o) return;
    orderedLat.push(performance.now() - o.t);
    if (--o.left === 0) orderedAt.delete(id);
  };
  const a = await make(subject, onRemote, onSequenced);
  const b = await make(subject, onRemote, onSequenced);
  let next = 1;
  let sent = 0;
  const end = performance.now() + SECONDS * 1000;
  let turn = 0;
  while (performance.now() < end) {
    const node = turn++ % 2 ? b : a;
    const t = performance.now();
    // Only the batch's first change is timed: the batch travels as one message.
    sentAt.set(next, t);
    orderedAt.set(next, { t, left: 2 });
    node.publish(batchOf(next, Date.now()));
    next += BATCH;
    sent += BATCH;
    await new Promise((r) => setTimeout(r, EVERY_MS / 2));
  }
  for (let i = 0; i < 100 && delivered < sent; i++) await new Promise((r) => setTimeout(r, 100));
  await Promise.all([a.close(), b.close()]);
  const ordered: [number, number] | undefined = orderedLat.length ? [percentile(orderedLat, 50), percentile(orderedLat, 99)] : undefined;
  return { sent, delivered, duplicates, p50: percentile(lat, 50), p99: percentile(lat, 99), max: Math.max(...lat), ordered };
}

const subject = `cantho.changes.bench_${process.pid}`;
const results: [string, Result][] = [];
try {
  // Alternating rounds, so that the machine's drift falls on both.
  for (let round = 0; round < 2; round++) {
    results.push([`JetStream (cantho), round ${round + 1}`, await run(jetstream, `${subject}_${round}`)]);
    results.push([`core NATS (baseline), round ${round + 1}`, await run(core, `${subject}_core_${round}`)]);
  }
} finally {
  const nc = await connect({ servers: URL });
  const jsm = await nc.jetstreamManager();
  for (let round = 0; round < 2; round++) await jsm.streams.delete(streamName(`${subject}_${round}`)).catch(() => {});
  await nc.close();
}

const f = (x: number) => `${x.toFixed(1)} ms`;
const rows = results.map(
  ([name, r]) =>
    `| ${name} | ${int((r.sent / SECONDS) | 0)} | ${int(r.delivered)} of ${int(r.sent)} | ${r.duplicates} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} | ${r.ordered ? `${f(r.ordered[0])} / ${f(r.ordered[1])}` : '—'} |`,
);
const table = [
  '| fan-out | changes/s (both nodes) | delivered to the other node | twice | latency p50 | p99 | max | in stream order on both nodes (live push), p50 / p99 |',
  '|---|---|---|---|---|---|---|---|',
  ...rows,
].join('\n');
console.log(table);
if (process.env.CANTHO_BENCH_DOCS !== '0') {
  const m = machineInfo();
  replaceMarkedSection(
    new globalThis.URL('../docs/benchmarks.md', import.meta.url).pathname,
    { begin: '<!-- BEGIN fanout figures: generated by bench/fanout.bench.ts, do not edit by hand -->', end: '<!-- END fanout figures -->', heading: 'Fan-out between nodes (NATS)' },
    [
      `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`npm run bench:fanout\` (${SECONDS} s a run, batches of ${BATCH} every ${EVERY_MS} ms from each of two nodes; nproc ${m.nproc}, ${m.cpuModel}, Node ${m.node}).`,
      '',
      table,
    ].join('\n'),
  );
}

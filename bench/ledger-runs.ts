import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Platform } from '../src/server/platform.ts';
import { bulkAppendLeafHashes } from '../src/trace/ledger/bulk-hashes.ts';
import { sampleDocument, signBody, type TestOrg } from '../src/trace/testing.ts';
import { ed25519Generate } from '../src/trace/log/ed25519.ts';
import { keyIdFor } from '../src/trace/signing/capture-signature.ts';
import { percentile } from './lib/stats.ts';
import type { LedgerClient, SignedRequest } from './ledger-client.ts';

/** A measured figure: the value shown and, when there is a target, whether it is met. */
export interface Cell {
  readonly text: string;
  readonly pass?: boolean;
}

/** Creates a benchmark organisation with a client-held key and an API key scoped to it. */
export async function benchOrg(p: Platform, code: string): Promise<TestOrg> {
  const org = await p.trace.orgs.create({ code, name: `Bench ${code}`, kind: 'cooperative' });
  const pair = ed25519Generate();
  await p.trace.orgs.addKey(code, { publicKey: Buffer.from(pair.publicKey).toString('base64') });
  const uid = await p.keys.ensureUser(`bench-${code}`, 'operator');
  const apiKey = (await p.keys.createKey(uid, { label: 'bench', role: 'operator', orgScope: org.id })).secret;
  return { code, orgId: org.id, keyId: keyIdFor(code, pair.publicKey), privateKey: pair.privateKeyObject, apiKey };
}

/**
 * CPU time (ns) of each thread of this process from /proc (Linux; empty elsewhere): the main
 * thread's id is the process id, the others are prepare workers, V8 and libuv helper threads.
 */
function threadCpuNs(): Map<number, number> {
  const out = new Map<number, number>();
  if (!existsSync('/proc/self/task')) return out;
  for (const t of readdirSync('/proc/self/task')) {
    try {
      out.set(Number(t), Number(readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** CPU ms spent since `before` by the main thread and by all other threads (ended threads are missed). */
function threadCpuSince(before: Map<number, number>): { mainMs: number; otherMs: number } | null {
  if (before.size === 0) return null;
  const after = threadCpuNs();
  let main = 0;
  let other = 0;
  for (const [tid, ns] of after) {
    const d = (ns - (before.get(tid) ?? 0)) / 1e6;
    if (tid === process.pid) main += d;
    else other += d;
  }
  return { mainMs: main, otherMs: other };
}

/**
 * CPU ms used so far by every `postgres` process of this machine (utime + stime from /proc, in
 * 10 ms clock ticks), or null where that cannot be read: the database server's share of a capture
 * when PostgreSQL runs on the same machine (other clients of that server are counted too).
 */
function postgresCpuMs(): number | null {
  if (!existsSync('/proc/self/stat')) return null;
  let ticks = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (!st.includes(' (postgres) ')) continue;
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks * 10;
}

/** Records commit times of appends and publication times of checkpoints (server side). */
export function checkpointDelays(p: Platform): () => number[] {
  const appends: { size: number; t: number }[] = [];
  const cps: { size: number; t: number }[] = [];
  let size = 0;
  p.trace.appender.onAppended((n) => {
    size += n;
    appends.push({ size, t: performance.now() });
  });
  const store = p.trace.store;
  const insert = store.insertCheckpoint.bind(store);
  store.insertCheckpoint = async (row) => {
    await insert(row);
    cps.push({ size: row.size, t: performance.now() });
  };
  return () => appends.map((a) => (cps.find((c) => c.size >= a.size)?.t ?? Number.NaN) - a.t).filter(Number.isFinite);
}

/** 1. Capture documents of `perDoc` events, each signed by the client; the server verifies each. */
export async function captureDocuments(p: Platform, client: LedgerClient, base: string, opts: { docs: number; warmup: number; perDoc: number; concurrency: number; postgres?: boolean }) {
  const org = await benchOrg(p, 'bench-docs');
  const delays = checkpointDelays(p);
  const make = (from: number, n: number): SignedRequest[] =>
    Array.from({ length: n }, (_, i) => {
      const body = JSON.stringify(sampleDocument(opts.perDoc, { lot: `D${from + i}`, start: Date.UTC(2025, 0, 1) + (from + i) * 1000 }));
      return { body, signature: signBody(org, body) };
    });
  const warm = await client.post(`${base}/epcis/capture`, org.apiKey, make(0, opts.warmup), opts.concurrency, 202);
  if (warm.failures.length) throw new Error(`warm-up failed: ${JSON.stringify(warm.failures)}`);
  const reqs = make(opts.warmup, opts.docs);
  const pg0 = opts.postgres ? postgresCpuMs() : null;
  const threads0 = threadCpuNs();
  const cpu0 = process.cpuUsage();
  const r = await client.post(`${base}/epcis/capture`, org.apiKey, reqs, opts.concurrency, 202);
  const cpu = process.cpuUsage(cpu0);
  const threads = threadCpuSince(threads0);
  const pg1 = pg0 === null ? null : postgresCpuMs();
  if (r.failures.length) throw new Error(`capture failed: ${JSON.stringify(r.failures)}`);
  const stored = await p.trace.store.size();
  if (stored !== (opts.docs + opts.warmup) * opts.perDoc) throw new Error(`expected ${(opts.docs + opts.warmup) * opts.perDoc} leaves, found ${stored}`);
  await new Promise((res) => setTimeout(res, 1500)); // let the publisher cover the last append
  const d = delays();
  const events = opts.docs * opts.perDoc;
  return {
    eventsPerSec: events / (r.ms / 1000),
    serverCpuMsPerEvent: (cpu.user + cpu.system) / 1000 / events,
    /** Split of the server CPU: user/system, and main thread/other threads (when /proc exists). */
    serverUserMsPerEvent: cpu.user / 1000 / events,
    serverSystemMsPerEvent: cpu.system / 1000 / events,
    serverMainThreadMsPerEvent: threads ? threads.mainMs / events : null,
    serverOtherThreadsMsPerEvent: threads ? threads.otherMs / events : null,
    clientCpuMsPerEvent: r.clientCpuMs / events,
    /** CPU of the PostgreSQL server processes (same machine), when measured. */
    postgresCpuMsPerEvent: pg0 === null || pg1 === null ? null : (pg1 - pg0) / events,
    delayP50: percentile(d, 50),
    delayP95: percentile(d, 95),
    appends: d.length,
  };
}

/** Node's raw Ed25519 verifications per second on this machine (one thread, same process). */
export function rawEd25519VerifiesPerSec(ms = 1500): number {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const msgs = Array.from({ length: 256 }, (_, i) => Buffer.from(`cantho-capture/v1\nkey bench.0123456789abcdef\ndigest sha-256:${createHash('sha256').update(String(i)).digest('hex')}\n`));
  const sigs = msgs.map((m) => sign(null, m, privateKey));
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 256; i++) if (verify(null, msgs[i]!, publicKey, sigs[i]!)) n++;
  }
  return n / ((performance.now() - t0) / 1000);
}

/** 2. Single-event captures (POST /epcis/events), each signed by the client. */
export async function captureSingles(p: Platform, client: LedgerClient, base: string, opts: { events: number; warmup: number; concurrency: number }) {
  const org = await benchOrg(p, 'bench-single');
  const make = (from: number, n: number): SignedRequest[] =>
    Array.from({ length: n }, (_, i) => {
      const ev = (sampleDocument(1, { lot: `E${from + i}`, start: Date.UTC(2025, 1, 1) + (from + i) * 1000 }).epcisBody as { eventList: unknown[] }).eventList[0];
      const body = JSON.stringify(ev);
      return { body, signature: signBody(org, body) };
    });
  const warm = await client.post(`${base}/epcis/events`, org.apiKey, make(0, opts.warmup), opts.concurrency, 201);
  if (warm.failures.length) throw new Error(`warm-up failed: ${JSON.stringify(warm.failures)}`);
  const r = await client.post(`${base}/epcis/events`, org.apiKey, make(opts.warmup, opts.events), opts.concurrency, 201);
  if (r.failures.length) throw new Error(`single capture failed: ${JSON.stringify(r.failures)}`);
  const rawVerifies = rawEd25519VerifiesPerSec();
  const eventsPerSec = opts.events / (r.ms / 1000);
  return { eventsPerSec, rawVerifies, ratio: eventsPerSec / rawVerifies };
}

/** 3. Inclusion proofs for random leaves of a bulk-built log of `leaves` leaves, over HTTP. */
export async function inclusionProofs(p: Platform, client: LedgerClient, base: string, serverTimes: number[], opts: { leaves: number; proofs: number }) {
  const t0 = performance.now();
  const buf = Buffer.alloc(8);
  const leaf = (i: number) => {
    buf.writeDoubleBE(i);
    return new Uint8Array(createHash('sha256').update(buf).digest());
  };
  let shown = 0;
  await bulkAppendLeafHashes(p.db, opts.leaves, leaf, {
    batch: 200_000,
    onProgress: (n) => {
      if (n - shown >= 1_000_000 || n === opts.leaves) {
        shown = n;
        process.stderr.write(`\r    building: ${n.toLocaleString('en-US')} leaves`);
      }
    },
  });
  process.stderr.write('\n');
  const buildMs = performance.now() - t0;
  const size = await p.trace.checkpoints.publish();
  if (size !== opts.leaves) throw new Error(`checkpoint of ${size}, expected ${opts.leaves}`);
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  const urls = Array.from({ length: opts.proofs + 50 }, () => `${base}/trace/log/proof/inclusion?index=${rnd() % opts.leaves}&size=${opts.leaves}`);
  serverTimes.length = 0;
  const client50 = await client.gets(urls);
  const server = serverTimes.slice(50);
  return { buildMs, serverP50: percentile(server, 50), serverP95: percentile(server, 95), clientP50: percentile(client50.slice(50), 50), n: server.length };
}

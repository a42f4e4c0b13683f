/**
 * The benchmark's HTTP client, in a child process of its own so that building requests and reading
 * responses runs neither on the server's event loop nor in its process (its CPU time is not counted
 * as the server's). node:http with a keep-alive agent, one socket per request in flight; bodies
 * arrive as ready-made strings and are encoded once, before the clock starts.
 */
import http from 'node:http';
import type { ClientRequest, IngestResult, LatencyResult } from './http-client.ts';

interface Answer {
  status: number;
  body: Buffer;
}

function send(agent: http.Agent, url: URL, method: 'GET' | 'POST', headers: http.OutgoingHttpHeaders, body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, hostname: url.hostname, port: url.port, path: url.pathname + url.search, method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: parts.length === 1 ? parts[0]! : Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function ingest(url: string, key: string, bodies: string[], concurrency: number): Promise<IngestResult> {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const encoded = bodies.map((b) => Buffer.from(b));
  let next = 0;
  let rejectedRows = 0;
  const failures: { status: number; text: string }[] = [];
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  async function lane(): Promise<void> {
    while (next < encoded.length) {
      const body = encoded[next++]!;
      const headers = { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${key}` };
      const res = await send(agent, target, 'POST', headers, body);
      if (res.status !== 201) {
        if (failures.length < 5) failures.push({ status: res.status, text: res.body.toString('utf8', 0, 500) });
      } else {
        const text = res.body.toString('latin1');
        if (text.includes('"error"')) rejectedRows += text.split('"error"').length - 1;
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, encoded.length) }, lane));
  } finally {
    agent.destroy();
  }
  const cpu = process.cpuUsage(cpu0);
  return { ms: performance.now() - t0, clientCpuMs: (cpu.user + cpu.system) / 1000, requests: bodies.length, failures, rejectedRows };
}

async function latency(url: string, key: string, n: number, warmup: number): Promise<LatencyResult> {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  let status = 0;
  let sample = '';
  let bytes = 0;
  try {
    for (let i = 0; i < warmup + n; i++) {
      const t0 = performance.now();
      const res = await send(agent, target, 'GET', { authorization: `Bearer ${key}` });
      const dt = performance.now() - t0;
      if (i === 0) {
        status = res.status;
        sample = res.body.toString('utf8');
        bytes = res.body.length;
        // An error answer is reported once, not timed.
        if (status >= 400) return { times: [], status, sample, bytes };
      } else if (res.status !== status) throw new Error(`${url}: status changed from ${status} to ${res.status}`);
      if (i >= warmup) times.push(dt);
    }
  } finally {
    agent.destroy();
  }
  return { times, status, sample, bytes };
}

process.on('message', (m: ClientRequest) => {
  const run = m.cmd === 'ingest' ? ingest(m.url, m.key, m.bodies, m.concurrency) : latency(m.url, m.key, m.n, m.warmup);
  run.then(
    (result) => process.send!({ id: m.id, ok: true, result }),
    (e: unknown) => process.send!({ id: m.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
});
process.on('disconnect', () => process.exit(0));

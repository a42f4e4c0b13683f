/**
 * HTTP client of the ledger benchmark, in a child process of its own so that building requests and
 * reading answers neither runs on the server's event loop nor counts as the server's CPU. node:http
 * with keep-alive, one socket per request in flight; bodies and their signature headers are
 * prepared by the parent before the clock starts.
 */
import http from 'node:http';
import type { LedgerClientRequest, PostResult } from './ledger-client.ts';

function send(agent: http.Agent, url: URL, method: string, headers: http.OutgoingHttpHeaders, body?: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, hostname: url.hostname, port: url.port, path: url.pathname + url.search, method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function post(m: Extract<LedgerClientRequest, { cmd: 'post' }>): Promise<PostResult> {
  const url = new URL(m.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: m.concurrency });
  const bodies = m.requests.map((r) => ({ body: Buffer.from(r.body), signature: r.signature }));
  const failures: { status: number; text: string }[] = [];
  let ok = 0;
  let next = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const lane = async () => {
    while (next < bodies.length) {
      const r = bodies[next++]!;
      const res = await send(agent, url, 'POST', { 'content-type': 'application/json', 'content-length': r.body.length, authorization: `Bearer ${m.key}`, 'cantho-signature': r.signature }, r.body);
      if (res.status === m.expect) ok++;
      else if (failures.length < 5) failures.push({ status: res.status, text: res.body.toString('utf8', 0, 400) });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(m.concurrency, bodies.length) }, lane));
  } finally {
    agent.destroy();
  }
  const cpu = process.cpuUsage(cpu0);
  return { ms: performance.now() - t0, clientCpuMs: (cpu.user + cpu.system) / 1000, ok, failures };
}

async function gets(m: Extract<LedgerClientRequest, { cmd: 'gets' }>): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  try {
    for (const u of m.urls) {
      const url = new URL(u);
      const t0 = performance.now();
      const res = await send(agent, url, 'GET', {});
      times.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`${u}: HTTP ${res.status} ${res.body.toString('utf8', 0, 300)}`);
    }
  } finally {
    agent.destroy();
  }
  return times;
}

process.on('message', (m: LedgerClientRequest) => {
  const run: Promise<unknown> = m.cmd === 'post' ? post(m) : gets(m);
  run.then(
    (result) => process.send!({ id: m.id, ok: true, result }),
    (e: unknown) => process.send!({ id: m.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
});
process.on('disconnect', () => process.exit(0));

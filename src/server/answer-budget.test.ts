/**
 * Answers not yet read by their clients are bounded: each client address gets a few turns at
 * large answers (CANTHO_ANSWERS_PER_CLIENT), all answers together a budget of bytes
 * (CANTHO_ANSWER_BUFFER; past it a GET is answered 503 BUSY), and a connection whose client takes
 * nothing for CANTHO_SEND_TIMEOUT_MS is cut. A client that reads slowly still gets all of it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../config/config.ts';
import { createPlatform, type Platform } from './platform.ts';

const KEY = 'answer-budget-test-admin-key';
const ROWS = 10_000;
let p: Platform;
let port: number;
let dir: string;
let page: string;
let pageBytes: number;
/** A GET that may have a large answer (more than 100 entities asked for), and is cheap. */
const LARGE_CHEAP = '/v1.1/Things?$select=id&$top=1000';

/** A platform with one Datastream of 10,000 Observations whose results are 1,500 characters each. */
async function platform(env: Record<string, string>): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'cantho-answers-'));
  p = await createPlatform(loadConfig({ DATABASE_URL: join(dir, 'c.db'), LOG_LEVEL: 'silent', CANTHO_BOOTSTRAP_ADMIN_KEY: KEY, ...env }), { logger: pino({ level: 'silent' }) });
  await p.app.listen({ host: '127.0.0.1', port: 0 });
  port = (p.app.server.address() as { port: number }).port;
  const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
  const thing = await fetch(`http://127.0.0.1:${port}/v1.1/Things`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      name: 't', description: 'd', Locations: [{ name: 'l', description: 'l', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.7, 10] } }],
      Datastreams: [{ name: 'x', description: 'd', observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Observation', unitOfMeasurement: {},
        Sensor: { name: 's', description: 's', encodingType: 'text/plain', metadata: 'm' }, ObservedProperty: { name: 'o', definition: 'o', description: 'o' } }],
    }),
  });
  assert.equal(thing.status, 201);
  const ds = ((await (await fetch(`${thing.headers.get('location')}/Datastreams`)).json()) as { value: { '@iot.id': number }[] }).value[0]!['@iot.id'];
  for (let half = 0; half < 2; half++) {
    const dataArray = Array.from({ length: ROWS / 2 }, (_, i) => [new Date(Date.UTC(2024, 0, 1) + (half * ROWS + i) * 1000).toISOString(), `${i}`.padEnd(1500, 'x')]);
    const r = await fetch(`http://127.0.0.1:${port}/v1.1/CreateObservations`, { method: 'POST', headers, body: JSON.stringify([{ Datastream: { '@iot.id': ds }, components: ['phenomenonTime', 'result'], dataArray }]) });
    assert.equal(r.status, 201, await r.text());
  }
  page = `/v1.1/Datastreams(${ds})/Observations?$top=${ROWS}&$select=id,result`;
}

async function close(): Promise<void> {
  await p?.close();
  rmSync(dir, { recursive: true, force: true });
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * A GET over a connection of its own from `from`: `read` 'all' reads the answer, 'none' reads
 * nothing, a number reads what the socket holds every that many ms (at most its buffer, 16 KiB).
 * Resolves `answer` once the whole answer (per Content-Length) is in, or with null when the
 * connection closes first; `again` asks for another path on the same connection. `forwardedFor`:
 * sent as X-Forwarded-For.
 */
function get(path: string, read: 'all' | 'none' | number, from = '127.0.0.1', forwardedFor?: string): { socket: Socket; answer: Promise<Answer | null>; again: (path: string) => Promise<Answer | null> } {
  const socket = connect({ port, host: '127.0.0.1', localAddress: from });
  socket.on('error', () => {});
  let pending: ((a: Answer | null) => void) | null = null;
  let buf = Buffer.alloc(0);
  const parse = (): Answer | null => {
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return null;
    const [statusLine, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length']);
    if (buf.length < end + 4 + length) return null;
    const a = { status: Number(statusLine!.split(' ')[1]), headers, body: buf.subarray(end + 4, end + 4 + length) };
    buf = buf.subarray(end + 4 + length);
    return a;
  };
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    const a = parse();
    if (a && pending) {
      pending(a);
      pending = null;
    }
  });
  socket.on('close', () => pending?.(null));
  const ask = (p: string) => {
    const answer = new Promise<Answer | null>((r) => (pending = r));
    socket.write(`GET ${p} HTTP/1.1\r\nHost: x\r\n${forwardedFor ? `X-Forwarded-For: ${forwardedFor}\r\n` : ''}\r\n`);
    return answer;
  };
  const answer = ask(path);
  if (read === 'none') socket.pause();
  else if (typeof read === 'number') {
    socket.pause();
    const pace = setInterval(() => {
      if (socket.destroyed) clearInterval(pace);
      else socket.read();
    }, read);
    void answer.then(() => {
      clearInterval(pace);
      socket.resume();
    });
  }
  return { socket, answer, again: ask };
}

/** What `p` resolves to, or 'late' when it has not within 5 s (a GET that waits for a turn). */
const soon = <T>(p: Promise<T>) => Promise.race([p, new Promise<'late'>((r) => setTimeout(() => r('late'), 5000).unref())]);
const statusOf = async (a: ReturnType<typeof get>) => {
  const x = await soon(a.answer);
  return x === 'late' ? x : x?.status;
};

async function gauges(): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^(cantho_http_answer\w*) (\d+)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

async function until(what: string, ok: (g: Record<string, number>) => boolean): Promise<Record<string, number>> {
  for (let i = 0; i < 200; i++) {
    const g = await gauges();
    if (ok(g)) return g;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`${what}: ${JSON.stringify(await gauges())}`);
}

/** A platform (see `platform`) with `env`, closed after `t`; the page's size, read whole. */
async function platformFor(t: { after(fn: () => Promise<void>): void }, env: Record<string, string>): Promise<Buffer> {
  t.after(close);
  await platform(env);
  const whole = await get(page, 'all').answer;
  assert.equal(whole?.status, 200);
  pageBytes = whole!.body.length;
  assert.ok(pageBytes > 14_000_000, `the page is ${pageBytes} bytes`);
  assert.equal((JSON.parse(whole!.body.toString()) as { value: unknown[] }).value.length, ROWS);
  return whole!.body;
}

test('answers not read: the send timeout and the shared budget', { timeout: 120_000 }, async (t) => {
  const whole = await platformFor(t, { CANTHO_ANSWER_BUFFER: String(40 * 1024 * 1024), CANTHO_SEND_TIMEOUT_MS: '1500' });

  await t.test('a client that reads slowly gets the whole answer, though it takes longer than the send timeout; its connection serves the next request', async () => {
    // At most 16 KiB every 10 ms: 16 MB take more than 1.5 s.
    const t0 = performance.now();
    const slow = get(page, 10);
    const a = await slow.answer;
    assert.equal(a?.status, 200);
    assert.ok(a!.body.equals(whole), 'the same bytes as a fast read');
    assert.ok(performance.now() - t0 > 1500, `took ${performance.now() - t0} ms`);
    await new Promise((r) => setTimeout(r, 2000)); // idle for longer than the send timeout
    const next = await slow.again('/v1.1/Things?$select=id');
    assert.equal(next?.status, 200);
    slow.socket.destroy();
    await until('nothing held', (g) => g.cantho_http_answer_bytes === 0);
  });

  await t.test('past CANTHO_ANSWER_BUFFER a GET is answered 503 BUSY; small answers and writes still go out; a client that took nothing is cut', async () => {
    const stalled = [get(page, 'none', '127.0.0.2'), get(page, 'none', '127.0.0.6')];
    await until('the stalled answers are held', (g) => g.cantho_http_answer_bytes === 2 * pageBytes);
    const busy = await get(page, 'all', '127.0.0.3').answer;
    assert.equal(busy?.status, 503);
    assert.equal(busy?.headers['retry-after'], '5');
    assert.equal((JSON.parse(busy!.body.toString()) as { code: string }).code, 'BUSY');
    const small = await get('/v1.1/Things?$select=id', 'all', '127.0.0.3').answer;
    assert.equal(small?.status, 200);
    // A write's answer is not refused: 2,000 links of CreateObservations (> 64 KiB).
    const ds = /Datastreams\((\d+)\)/.exec(page)![1];
    const dataArray = Array.from({ length: 2000 }, (_, i) => [new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(), 'r']);
    const created = await fetch(`http://127.0.0.1:${port}/v1.1/CreateObservations`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify([{ Datastream: { '@iot.id': Number(ds) }, components: ['phenomenonTime', 'result'], dataArray }]) });
    assert.equal(created.status, 201);
    assert.ok((await created.text()).length > 64 * 1024);
    // The stalled clients are cut after 1.5 s without taking anything, and their bytes come back;
    // reading again, each finds its connection closed before the end of the answer.
    const g = await until('the cut gives the bytes back', (g) => g.cantho_http_answer_bytes === 0);
    assert.equal(g.cantho_http_answers_cut_off_total, 2);
    for (const c of stalled) c.socket.resume();
    assert.deepEqual(await Promise.all(stalled.map((c) => c.answer)), [null, null]);
    assert.equal(g.cantho_http_answers_refused_total, 1);
    assert.equal((await get(page, 'all', '127.0.0.3').answer)?.status, 200);
  });

});

// No send timeout here: a stalled answer holds its turn until the test lets it go.
test('answers not read: turns per client address, places to be built for all', { timeout: 120_000 }, async (t) => {
  await platformFor(t, { CANTHO_ANSWERS_PER_CLIENT: '2', CANTHO_ANSWERS_AT_ONCE: '1', CANTHO_SEND_TIMEOUT_MS: '0', CANTHO_TRUST_PROXY: '127.0.0.9' });

  await t.test("a small GET's reads go before large ones' waiting for a read thread (SqliteReadPool.ahead)", async () => {
    const pool = p.db.readPool!;
    const seen: string[] = [];
    const [rows, pages] = [pool.rows, pool.pages];
    pool.rows = (st, ahead) => {
      seen.push(`rows ${ahead === true}`);
      return rows.call(pool, st, ahead);
    };
    pool.pages = (job, ahead) => {
      seen.push(`pages ${ahead === true}`);
      return pages.call(pool, job, ahead);
    };
    try {
      assert.equal(await statusOf(get('/v1.1/Things?$select=id&$expand=Datastreams($top=1)&$top=2', 'all', '127.0.0.60')), 200);
      assert.ok(seen.length > 0 && seen.every((s) => s.endsWith('false')), `with $expand: ${seen.join(', ')}`);
      seen.length = 0;
      assert.equal(await statusOf(get('/v1.1/Things?$select=id', 'all', '127.0.0.60')), 200);
      assert.ok(seen.length > 0 && seen.every((s) => s.endsWith('true')), `small: ${seen.join(', ')}`);
      seen.length = 0;
      assert.equal(await statusOf(get(LARGE_CHEAP, 'all', '127.0.0.60')), 200);
      assert.ok(seen.length > 0 && seen.every((s) => s.endsWith('false')), `large: ${seen.join(', ')}`);
    } finally {
      Reflect.deleteProperty(pool, 'rows');
      Reflect.deleteProperty(pool, 'pages');
    }
  });

  await t.test('GETs from many addresses are built CANTHO_ANSWERS_AT_ONCE at a time; the others wait, and all are answered', async () => {
    const many = Array.from({ length: 4 }, (_, i) => get(page, 'all', `127.0.0.${30 + i}`));
    let most = 0;
    for (let i = 0; i < 200 && most < 2; i++) most = Math.max(most, (await gauges()).cantho_http_answers_waiting ?? 0);
    assert.ok(most >= 2, `four at once, one built at a time: ${most} seen waiting`);
    for (const a of many) assert.equal(await statusOf(a), 200);
    for (const a of many) a.socket.destroy();
    await until('nothing held or waiting', (g) => g.cantho_http_answer_bytes === 0 && g.cantho_http_answers_waiting === 0);
  });

  await t.test('a small read (at most 100 entities, no $expand) waits neither for a place nor for a turn', async () => {
    // Each large answer holds the event loop for a while as it is built: 16 of them take seconds.
    const many = Array.from({ length: 16 }, (_, i) => get(page, 'all', `127.0.0.${40 + i}`));
    await until('large GETs wait for the place', (g) => (g.cantho_http_answers_waiting ?? 0) >= 8);
    assert.equal(await statusOf(get('/v1.1/Things?$select=id', 'all', '127.0.0.70')), 200);
    assert.equal(await statusOf(get(`${page.replace(`$top=${ROWS}`, '$top=100')}`, 'all', '127.0.0.40')), 200, 'nor for a turn of an address whose large GET waits');
    assert.ok((await gauges()).cantho_http_answers_waiting! >= 1, 'answered before the large GETs were all built');
    for (const a of many) assert.equal(await statusOf(a), 200);
    for (const a of many) a.socket.destroy();
    await until('nothing held or waiting', (g) => g.cantho_http_answer_bytes === 0 && g.cantho_http_answers_waiting === 0);
  });

  await t.test('one address gets CANTHO_ANSWERS_PER_CLIENT large GETs at once; its others wait, and other addresses do not', async () => {
    const a = get(`${page}&$skip=0`, 'none', '127.0.0.4');
    const b = get(`${page}&$skip=1`, 'none', '127.0.0.4');
    await until('two answers held', (g) => g.cantho_http_answer_bytes > 1.5 * pageBytes);
    const c = get(LARGE_CHEAP, 'all', '127.0.0.4');
    await until('the third waits', (g) => g.cantho_http_answers_waiting === 1);
    assert.equal(await statusOf(get(LARGE_CHEAP, 'all', '127.0.0.5')), 200);
    assert.equal(await statusOf(get('/v1.1/Things?$select=id', 'all', '127.0.0.4')), 200, 'a small read of the same address');
    let third: Answer | null | undefined;
    void c.answer.then((x) => (third = x));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(third, undefined, 'the third GET of 127.0.0.4 waits while two of its answers are unread');
    a.socket.destroy();
    assert.equal(await statusOf(c), 200);
    b.socket.destroy();
    await until('nothing held or waiting', (g) => g.cantho_http_answer_bytes === 0 && g.cantho_http_answers_waiting === 0);
  });

  await t.test('behind a trusted proxy (CANTHO_TRUST_PROXY) turns go by the forwarded address; from anywhere else X-Forwarded-For counts for nothing', async () => {
    const proxy = '127.0.0.9';
    const a = get(`${page}&$skip=0`, 'none', proxy, '198.51.100.1');
    const b = get(`${page}&$skip=1`, 'none', proxy, '198.51.100.1');
    await until('two answers held', (g) => g.cantho_http_answer_bytes > 1.5 * pageBytes);
    const c = get(LARGE_CHEAP, 'all', proxy, '198.51.100.1');
    await until('the third of 198.51.100.1 waits', (g) => g.cantho_http_answers_waiting === 1);
    assert.equal(await statusOf(get(LARGE_CHEAP, 'all', proxy, '198.51.100.2')), 200, 'another client behind the proxy');
    assert.equal(await statusOf(get(LARGE_CHEAP, 'all', '127.0.0.10', '198.51.100.1')), 200, 'not from the proxy: its own address');
    a.socket.destroy();
    assert.equal(await statusOf(c), 200);
    b.socket.destroy();
    await until('nothing held or waiting', (g) => g.cantho_http_answer_bytes === 0 && g.cantho_http_answers_waiting === 0);
  });
});

/**
 * Request bodies in flight are bounded (CANTHO_BODY_BUFFER): past the budget a request waits with
 * its body unread, in arrival order, and an aborted request gives its share back.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../config/config.ts';
import { Budget } from './budget.ts';
import { createPlatform } from './platform.ts';

const KEY = 'body-budget-test-admin-key';

/** A platform with a body buffer of 1,024 bytes (and `env`), listening until the test ends; its port. */
async function listening(env: Record<string, string>): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'cantho-bodies-'));
  const p = await createPlatform(loadConfig({ DATABASE_URL: join(dir, 'c.db'), LOG_LEVEL: 'silent', CANTHO_BODY_BUFFER: '1024', CANTHO_BOOTSTRAP_ADMIN_KEY: KEY, ...env }), {
    logger: pino({ level: 'silent' }),
  });
  after(async () => {
    await p.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await p.app.listen({ host: '127.0.0.1', port: 0 });
  return (p.app.server.address() as { port: number }).port;
}

test('Budget: arrival order, a body larger than the budget alone, release once', async () => {
  const b = new Budget(100);
  const order: string[] = [];
  const take = async (bytes: number) => {
    const release = await b.acquire(bytes);
    order.push(String(bytes));
    return release;
  };
  const r1 = await b.acquire(60);
  const p2 = take(50);
  const p3 = take(10); // fits, but waits behind the 50
  const p4 = take(1000); // more than the budget: alone
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(b.load, { bytes: 60, waiting: 3 });
  r1();
  r1(); // a second release gives nothing back twice
  const [r2, r3] = await Promise.all([p2, p3]);
  assert.deepEqual(order, ['50', '10']);
  assert.deepEqual(b.load, { bytes: 60, waiting: 1 });
  r2();
  await new Promise((r) => setImmediate(r));
  assert.equal(order.length, 2, 'the large body waits until it is alone');
  r3();
  const r4 = await p4;
  assert.deepEqual(b.load, { bytes: 100, waiting: 0 });
  r4();
  assert.deepEqual(b.load, { bytes: 0, waiting: 0 });
});

test('a request whose body does not fit waits unread until room is given back; an aborted one gives its share back', { timeout: 30_000 }, async () => {
  const port = await listening({});
  const gauges = async () => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const g = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
    return { bytes: g('cantho_http_body_bytes'), waiting: g('cantho_http_bodies_waiting') };
  };
  const thing = (size: number) => {
    const json = JSON.stringify({ name: 'n', description: 'd' });
    return json + ' '.repeat(size - json.length);
  };
  /** A POST of a Thing whose body is `size` bytes; only its first `sent` bytes go out until `finish`. */
  const post = (size: number, sent: number) => {
    const s: Socket = connect(port, '127.0.0.1');
    s.on('error', () => {});
    const body = thing(size);
    let answer = '';
    s.on('data', (d) => (answer += d));
    const answered = new Promise<string>((r) => s.on('close', () => r(answer)));
    s.write(`POST /v1.1/Things HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n${body.slice(0, sent)}`);
    return { answered, finish: () => s.write(body.slice(sent)), abort: () => s.destroy(), answer: () => answer };
  };
  const until = async (want: { bytes: number; waiting: number }) => {
    for (let i = 0; i < 100; i++) {
      const g = await gauges();
      if (g.bytes === want.bytes && g.waiting === want.waiting) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(await gauges(), want);
  };

  const a = post(1000, 10);
  await until({ bytes: 1000, waiting: 0 });
  const b = post(100, 100); // whole, but does not fit beside a's 1000 bytes
  const c = post(500, 500);
  await until({ bytes: 1000, waiting: 2 });
  c.abort();
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(b.answer(), '', 'b waits while a holds the budget');
  a.finish();
  assert.match(await a.answered, /^HTTP\/1.1 201/);
  assert.match(await b.answered, /^HTTP\/1.1 201/);
  await until({ bytes: 0, waiting: 0 });

  // A body announced above the body limit is refused without taking (or waiting for) the budget.
  const big = await fetch(`http://127.0.0.1:${port}/v1.1/Things`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: thing(17 * 1024 * 1024),
  });
  assert.equal(big.status, 413);
  await until({ bytes: 0, waiting: 0 });
});

test('a body sent a few bytes at a time: without a key it holds up no caller with one, and past CANTHO_REQUEST_TIMEOUT_MS it is answered 408', { timeout: 30_000 }, async () => {
  const port = await listening({ CANTHO_REQUEST_TIMEOUT_MS: '1000' });
  // Announces 1 MiB (all that bodies without a key may hold together, and more than the 1,024
  // bytes of those with one) and sends 9 bytes of it.
  const slow = connect(port, '127.0.0.1');
  slow.on('error', () => {});
  let answer = '';
  slow.on('data', (d) => (answer += d));
  const closed = new Promise((r) => slow.on('close', r));
  const t0 = performance.now();
  slow.write(`POST /v1.1/Things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${1024 * 1024}\r\n\r\n{"name":`);
  await new Promise((r) => setTimeout(r, 200));
  const created = await fetch(`http://127.0.0.1:${port}/v1.1/Things`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'n', description: 'd' }),
    signal: AbortSignal.timeout(3000),
  });
  assert.equal(created.status, 201, 'a caller with a key does not wait behind it');
  assert.ok(performance.now() - t0 < 1000, 'answered before the slow body timed out');
  await closed;
  assert.match(answer, /^HTTP\/1.1 408/);
  const ms = performance.now() - t0;
  assert.ok(ms >= 1000 && ms < 3000, `cut after ${ms} ms`);
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../config/config.ts';
import { createPlatform } from './platform.ts';

test('close() does not wait for connections without a finished request (a browser’s preconnect)', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cantho-close-'));
  try {
    const p = await createPlatform(loadConfig({ DATABASE_URL: join(dir, 'c.db'), LOG_LEVEL: 'silent' }), { logger: pino({ level: 'silent' }) });
    await p.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = p.app.server.address() as { port: number };
    const open = async (first?: string) => {
      const s = connect(port, '127.0.0.1');
      s.on('error', () => {});
      await new Promise((r) => s.once('connect', r));
      if (first) s.write(first);
      return { closed: new Promise<void>((r) => s.once('close', () => r())) };
    };
    // Node's server.close() waits for these until its header timeout (60 s and more); Fastify
    // closes only idle keep-alive connections.
    const sockets = [await open(), await open('GET / HTTP/1.1\r\nHost: x\r\n')];
    const t0 = performance.now();
    await p.close();
    const ms = performance.now() - t0;
    await Promise.all(sockets.map((s) => s.closed));
    assert.ok(ms < 10_000, `close took ${Math.round(ms)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

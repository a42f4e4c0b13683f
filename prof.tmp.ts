import pino from 'pino';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './src/config/config.ts';
import { createPlatform } from './src/server/platform.ts';
import { benchOrg } from './bench/ledger-runs.ts';
import { sampleDocument, signBody } from './src/trace/testing.ts';
const dir = mkdtempSync(join(tmpdir(), 'prof-'));
const p = await createPlatform(loadConfig({ DATABASE_URL: join(dir, 'x.db'), LOG_LEVEL: 'silent', MQTT_ENABLED: 'false' }), { logger: pino({ level: 'silent' }) });
const org = await benchOrg(p, 'prof');
const bodies = Array.from({ length: 300 }, (_, i) => JSON.stringify(sampleDocument(100, { lot: `P${i}`, start: Date.UTC(2025, 0, 1) + i * 1000 })));
const sigs = bodies.map((b) => signBody(org, b));
const t0 = performance.now();
let k = 0;
await Promise.all(Array.from({ length: 8 }, async () => {
  while (k < bodies.length) {
    const i = k++;
    const r = await p.app.inject({ method: 'POST', url: '/epcis/capture', payload: bodies[i], headers: { 'content-type': 'application/json', authorization: `Bearer ${org.apiKey}`, 'cantho-signature': sigs[i]! } });
    if (r.statusCode !== 202) throw new Error(r.body);
  }
}));
const dt = performance.now() - t0;
console.log('events/s', (300 * 100) / (dt / 1000));
await p.close();

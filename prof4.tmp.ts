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
const N = 1000;
const bodies = Array.from({ length: N }, (_, i) => JSON.stringify((sampleDocument(1, { lot: `E${i}`, start: Date.UTC(2025, 0, 1) + i * 1000 }).epcisBody as any).eventList[0]));
const sigs = bodies.map((b) => signBody(org, b));
let batches = 0; p.trace.appender.onAppended(() => batches++);
const t0 = performance.now();
let k = 0;
await Promise.all(Array.from({ length: 32 }, async () => {
  while (k < N) {
    const i = k++;
    const r = await p.app.inject({ method: 'POST', url: '/epcis/events', payload: bodies[i], headers: { 'content-type': 'application/json', authorization: `Bearer ${org.apiKey}`, 'cantho-signature': sigs[i]! } });
    if (r.statusCode !== 201) throw new Error(r.body);
  }
}));
const dt = performance.now() - t0;
console.log('events/s', N / (dt / 1000), 'batches', batches);
await p.close();

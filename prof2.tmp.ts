import pino from 'pino';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './src/config/config.ts';
import { createPlatform } from './src/server/platform.ts';
import { sampleDocument } from './src/trace/testing.ts';
import { prepareCapture } from './src/trace/capture/prepare.ts';
const dir = mkdtempSync(join(tmpdir(), 'prof-'));
const p = await createPlatform(loadConfig({ DATABASE_URL: join(dir, 'x.db'), LOG_LEVEL: 'silent', MQTT_ENABLED: 'false' }), { logger: pino({ level: 'silent' }) });
const org = await p.trace.orgs.create({ code: 'o', name: 'o', kind: 'farm' });
const items = Array.from({ length: 300 }, (_, i) => {
  const doc = sampleDocument(100, { lot: `P${i}`, start: Date.UTC(2025, 0, 1) + i * 1000 });
  const body = JSON.stringify(doc);
  const prep = prepareCapture(JSON.parse(body), 'document', 'rollback');
  return { capture: { id: `c_${String(i).padStart(16, '0')}`, orgId: org.id, keyId: 'o.0123456789abcdef', digest: `sha-256:${i}`, signature: 'A'.repeat(86) + '==', body, behaviour: 'rollback' as const, createdAt: 1, apiKeyId: null }, orgCode: 'o', preErrors: [], events: prep.events };
});
let t0 = performance.now();
for (let i = 0; i < 300; i += 3) await p.trace.store.append(items.slice(i, i + 3), Date.now());
console.log('append µs/event', ((performance.now() - t0) * 1000) / 30000);
const raw = p.db.sqlite!;
for (const [name, q] of [['events', 'SELECT count(*) n FROM trace_events'], ['epcs', 'SELECT count(*) n FROM trace_event_epcs']] as const) console.log(name, raw.prepare(q).get());
// prepare cost alone
t0 = performance.now();
for (let i = 0; i < 50; i++) prepareCapture(JSON.parse(items[i]!.capture.body), 'document', 'rollback');
console.log('prepare µs/event', ((performance.now() - t0) * 1000) / 5000);
console.log('plan,capture,events,epcs,hashes ms', (globalThis as any).TT.map((x: number) => x.toFixed(0)));
await p.close();

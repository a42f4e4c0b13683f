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
const raw = p.db.sqlite!;
if (process.env.MODE === 'nouniq') {
  const ddl = (raw.prepare("SELECT sql FROM sqlite_master WHERE name='trace_events'").get() as any).sql.replace('event_id TEXT NOT NULL UNIQUE', 'event_id TEXT NOT NULL');
  raw.exec('DROP TABLE trace_events'); raw.exec(ddl);
  for (const c of ['event_time','event_type','biz_step','disposition','read_point','biz_location']) raw.exec(`CREATE INDEX ix_${c} ON trace_events (${c}, leaf_index)`);
  if (process.env.KEY) { raw.exec('ALTER TABLE trace_events ADD COLUMN k INTEGER'); raw.exec('CREATE INDEX ix_k ON trace_events(k)'); }
}
const org = await p.trace.orgs.create({ code: 'o', name: 'o', kind: 'farm' });
const N = 600;
const items = Array.from({ length: N }, (_, i) => {
  const doc = sampleDocument(100, { lot: `P${i}`, start: Date.UTC(2025, 0, 1) + i * 1000 });
  const body = JSON.stringify(doc);
  const prep = prepareCapture(JSON.parse(body), 'document', 'rollback');
  return { capture: { id: `c_${String(i).padStart(16, '0')}`, orgId: org.id, keyId: 'o.0123456789abcdef', digest: `sha-256:${i}`, signature: 'A'.repeat(86) + '==', body, behaviour: 'rollback' as const, createdAt: 1, apiKeyId: null }, orgCode: 'o', preErrors: [], events: prep.events };
});
const t0 = performance.now();
for (let i = 0; i < N; i += 4) await p.trace.store.append(items.slice(i, i + 4), Date.now());
console.log(process.env.MODE ?? 'base', 'append µs/event', (((performance.now() - t0) * 1000) / (N * 100)).toFixed(1));
await p.close();

/**
 * Ceiling of the write path alone (no MQTT): units of 10 Observations through sensing.writeObservations
 * and the group commit on SQLite, at several concurrencies. `npx tsx bench/ingest-dbcap.ts`.
 */
import pino from 'pino';
import { loadConfig } from '../src/config/config.ts';
import { createPlatform } from '../src/server/platform.ts';
const ADMIN = 'bench-admin-key-0123456789abcdef';
const p = await createPlatform(loadConfig({ DATABASE_URL: `/tmp/dbcap-${process.pid}.db`, CANTHO_BOOTSTRAP_ADMIN_KEY: ADMIN, LOG_LEVEL: 'warn' }), { logger: pino({ level: 'warn' }) });
const streams: number[] = [];
for (let d = 0; d < 16; d++) {
  const r = await p.app.inject({ method: 'POST', url: '/v1.1/Things', headers: { authorization: `Bearer ${ADMIN}` }, payload: { name: 'x', description: 'x', Locations: [{ name: 'l', description: 'l', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [1, 2] } }], Datastreams: Array.from({ length: 10 }, (_, k) => ({ name: `c${k}`, description: 'd', observationType: 'm', unitOfMeasurement: {}, properties: { code: `c${k}` }, Sensor: { name: 's', description: 's', encodingType: 'text/plain', metadata: 'm' }, ObservedProperty: { name: 'o', definition: 'o', description: 'o' } })) } });
  const thing = JSON.parse(r.body)['@iot.id'];
  for (const d of JSON.parse((await p.app.inject({ method: 'GET', url: `/v1.1/Things(${thing})/Datastreams?$select=id` })).body).value) streams.push(d['@iot.id']);
}
for (const inflight of [64, 512, 2048]) {
  const t0 = performance.now();
  let n = 0;
  const lane = async () => {
    while (performance.now() - t0 < 4000) {
      const ts = Date.now();
      const s = streams[(n++ * 10) % streams.length]!;
      await p.sensing.writeObservations(Array.from({ length: 10 }, (_, k) => ({ datastreamId: streams[(streams.indexOf(s) + k) % streams.length]!, phenomenonStart: ts, result: k })));
    }
  };
  await Promise.all(Array.from({ length: inflight }, lane));
  console.log(`units in flight ${inflight}: ${Math.round((n * 10) / ((performance.now() - t0) / 1000))} points/s`);
}
await p.close();

/** The platform under load in bench/ingest.bench.ts. */
import pino from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { freePort } from '../../src/ingest/testing.ts';
import { createPlatform, type Platform } from '../../src/server/platform.ts';

export const ADMIN = 'bench-admin-key-0123456789abcdef';
export const DEVICES = 16;
/** The platform made last (the BENCH_DEBUG monitor reads it). */
export let lastPlatform: Platform | null = null;

/**
 * A platform on `databaseUrl` listening on free ports, with DEVICES Things of 10 Datastreams each
 * (codes c0…c9, the device id in properties.deviceId): the streams' first Datastream ids and the device ids.
 */
export async function platformOn(databaseUrl: string, env: Record<string, string>, pgSchema?: string): Promise<{ p: Platform; mqttUrl: string; streams: number[]; devices: string[] }> {
  const config = loadConfig({ DATABASE_URL: databaseUrl, CANTHO_BOOTSTRAP_ADMIN_KEY: ADMIN, HOST: '127.0.0.1', MQTT_WS_PATH: 'off', MQTT_PORT: String(await freePort()), LOG_LEVEL: 'warn', CANTHO_PUBLIC_URL: 'http://bench', ...env });
  const p = await createPlatform(config, { logger: pino({ level: 'warn' }), pgSchema });
  lastPlatform = p;
  await p.app.listen({ port: 0, host: '127.0.0.1' });
  const started = await p.ingest.start();
  const streams: number[] = [];
  const devices: string[] = [];
  for (let d = 0; d < DEVICES; d++) {
    const deviceId = `bench-${d}`;
    const r = await p.app.inject({
      method: 'POST',
      url: '/v1.1/Things',
      headers: { authorization: `Bearer ${ADMIN}` },
      payload: {
        name: deviceId,
        description: 'bench device',
        properties: { deviceId },
        Locations: [{ name: 'l', description: 'l', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.78, 10.03] } }],
        Datastreams: Array.from({ length: 10 }, (_, k) => ({
          name: `c${k}`,
          description: 'd',
          observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement',
          unitOfMeasurement: {},
          properties: { code: `c${k}` },
          Sensor: { name: 's', description: 's', encodingType: 'text/plain', metadata: 'm' },
          ObservedProperty: { name: `o${k}`, definition: 'o', description: 'o' },
        })),
      },
    });
    const thing = JSON.parse(r.body)['@iot.id'];
    const ds = JSON.parse((await p.app.inject({ method: 'GET', url: `/v1.1/Things(${thing})/Datastreams?$select=id&$top=1` })).body).value[0]['@iot.id'];
    streams.push(ds);
    devices.push(deviceId);
  }
  return { p, mqttUrl: started.mqttPort ? `mqtt://127.0.0.1:${started.mqttPort}` : 'mqtt://127.0.0.1:1883', streams, devices };
}

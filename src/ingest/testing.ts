/**
 * Test helpers of the ingest module (not a test file): a small Can Tho network with coded
 * Datastreams, keys of each kind, and MQTT helpers that wait for messages.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { TestPlatform } from '../testing/platform.ts';

const OM = 'http://www.opengis.net/def/observationType/OGC-OM/2.0/';

function stream(name: string, code: string, type = 'OM_Measurement') {
  return {
    name,
    description: name,
    observationType: `${OM}${type}`,
    unitOfMeasurement: { name: 'metre', symbol: 'm', definition: 'http://qudt.org/vocab/unit/M' },
    properties: { code },
    Sensor: { name: `${name} sensor`, description: 'probe', encodingType: 'application/pdf', metadata: 'https://example.org/probe.pdf' },
    ObservedProperty: { name, definition: `https://example.org/op/${code}`, description: name },
  };
}

export interface Network {
  thing: number;
  privateThing: number;
  waterLevel: number;
  salinity: number;
  pumpOn: number;
  privateStream: number;
  location: number;
  deviceKey: string;
  viewerKey: string;
}

/** Two Things (one private), coded Datastreams, a device key scoped to the public Thing. */
export async function seedNetwork(t: TestPlatform, deviceId = 'ct-001'): Promise<Network> {
  const loc = { name: 'Bến Ninh Kiều', description: 'Sông Hậu', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.783, 10.033] } };
  const a = await t.api('POST', '/v1.1/Things', {
    name: 'Trạm Ninh Kiều',
    description: 'Trạm đo mực nước và độ mặn',
    properties: { deviceId },
    Locations: [loc],
    Datastreams: [stream('Mực nước', 'water_level'), stream('Độ mặn', 'salinity'), stream('Bơm', 'pump_on', 'OM_TruthObservation')],
  });
  assert.equal(a.status, 201, JSON.stringify(a.body));
  const thing = (a.body as { '@iot.id': number })['@iot.id'];
  const b = await t.api('POST', '/v1.1/Things', {
    name: 'Ao nuôi tôm (riêng)',
    description: 'Private pond',
    properties: { 'cantho:visibility': 'private', deviceId: `${deviceId}-p` },
    Locations: [{ ...loc, name: 'Ao' }],
    Datastreams: [stream('Oxy', 'do')],
  });
  assert.equal(b.status, 201, JSON.stringify(b.body));
  const privateThing = (b.body as { '@iot.id': number })['@iot.id'];
  const ds = async (th: number) =>
    Object.fromEntries(((await t.api('GET', `/v1.1/Things(${th})/Datastreams`)).body as { value: { '@iot.id': number; properties: { code: string } }[] }).value.map((d) => [d.properties.code, d['@iot.id']]));
  const codes = await ds(thing);
  const priv = await ds(privateThing);
  const location = ((await t.api('GET', `/v1.1/Things(${thing})/Locations`)).body as { value: { '@iot.id': number }[] }).value[0]!['@iot.id'];
  const p = t.p;
  const dev = await p.keys.ensureUser(`device-${deviceId}`, 'device');
  const deviceKey = (await p.keys.createKey(dev, { label: 'test', role: 'device', thingScope: [thing] })).secret;
  const viewer = await p.keys.ensureUser('viewer', 'viewer');
  const viewerKey = (await p.keys.createKey(viewer, { label: 'test', role: 'viewer' })).secret;
  return { thing, privateThing, waterLevel: codes.water_level!, salinity: codes.salinity!, pumpOn: codes.pump_on!, privateStream: priv.do!, location, deviceKey, viewerKey };
}

/** MQTT 3.1.1 allows a password only with a user name (§3.1.2.9): any name does, it is not checked. */
export async function connect(url: string, opts: IClientOptions = {}): Promise<MqttClient> {
  const username = opts.username ?? (opts.password !== undefined ? 'device' : undefined);
  return mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts, username });
}

/** The QoS the SUBACK granted each topic, 128 (0x80) where it was refused (mqtt.js rejects on any refusal). */
export async function granted(client: MqttClient, topics: string | string[], qos: 0 | 1 | 2 = 0): Promise<number[]> {
  return client.subscribeAsync(topics, { qos }).then(
    (g) => g.map((x) => x.qos),
    (e: { packet?: { granted: number[] } }) => {
      if (!e.packet?.granted) throw e;
      return e.packet.granted;
    },
  );
}

/** Collects every message of a topic; `next()` waits for the next one not yet taken. */
export function collect(client: MqttClient, topic: string) {
  const got: unknown[] = [];
  const waiters: (() => void)[] = [];
  let taken = 0;
  client.on('message', (t, payload) => {
    if (t !== topic) return;
    got.push(JSON.parse(payload.toString()));
    for (const w of waiters.splice(0)) w();
  });
  return {
    got,
    async next(timeoutMs = 3000): Promise<unknown> {
      const deadline = Date.now() + timeoutMs;
      while (got.length <= taken) {
        if (Date.now() > deadline) throw new Error(`no message on ${topic} within ${timeoutMs} ms (got ${got.length})`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
      return got[taken++];
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


/** Number of Observations of a Datastream, read over HTTP. */
export async function countOf(t: TestPlatform, ds: number): Promise<number> {
  return ((await t.api('GET', `/v1.1/Datastreams(${ds})/Observations?$count=true&$top=0`)).body as { '@iot.count': number })['@iot.count'];
}

/** A metric's value from the Prometheus text (0 when absent). */
export async function metric(t: TestPlatform, name: string, labels = ''): Promise<number> {
  const text = await t.p.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

/**
 * A port that was free a moment ago, for a listener this process or a child opens next. It is
 * picked at random below Linux's ephemeral range (32768–60999): a port the OS hands out for
 * `listen(0)` comes from that range, and so does the local port of every outgoing connection, so
 * in the second or so before a spawned server bound it, a client of any process could take it (the
 * crash test's restart once failed with "MQTT_PORT … is already in use").
 */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** `cantho serve` as a child process (the real CLI), resolved once /health answers. */
export async function spawnServer(env: Record<string, string>, timeoutMs = 30_000) {
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'serve'], {
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${stderr}`);
    if (/MQTT: /.test(stderr)) {
      const ok = await fetch(`http://127.0.0.1:${env.PORT}/health`).then((r) => r.ok, () => false);
      if (ok) break;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start: ${stderr}`);
    }
    await sleep(50);
  }
  return { child, exited, stderr: () => stderr };
}

const NATS_BIN = '/usr/sbin/nats-server';

/** Why the tests that run a nats-server of their own cannot run here, or false (in CI they must). */
export function natsServerMissing(): string | false {
  return existsSync(NATS_BIN) || process.env.CI ? false : `needs ${NATS_BIN} (Debian's nats-server)`;
}

/** A nats-server of a test's own (a free port, a store in a temporary folder) that it may kill and start again. */
export class NatsServer {
  child: ChildProcess | null = null;
  constructor(
    readonly port: number,
    readonly dir: string,
    readonly jetstream = true,
  ) {}

  async start(): Promise<void> {
    const args = ['-a', '127.0.0.1', '-p', String(this.port), ...(this.jetstream ? ['-js', '-sd', this.dir] : [])];
    this.child = spawn(NATS_BIN, args, { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (await listening(this.port)) return;
      await sleep(50);
    }
    throw new Error('nats-server did not start');
  }

  /** kill -9, as a crash would. */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Starts a nats-server for the current test; it is killed and its store removed afterwards. */
export async function natsServer(jetstream = true): Promise<NatsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'cantho-nats-'));
  const s = new NatsServer(await freePort(), dir, jetstream);
  after(async () => {
    await s.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  await s.start();
  return s;
}

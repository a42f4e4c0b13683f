import { sql } from 'kysely';
import type { Platform } from '../server/platform.ts';
import { ENTITIES } from '../sensing/model/entities.ts';
import type { ObservationInput } from '../sensing/write/observation-writer.ts';
import { DEMO_NETWORK, toSensorThingsDeepInsert } from './network.ts';
import { startTraceDemo } from '../trace/demo/trace-demo.ts';
import { seedOf } from './noise.ts';
import { type SignalName, type SignalParams, sampleTimes, valueAt } from './signals.ts';

/** A demo Datastream the simulator feeds. */
interface Feed {
  id: number;
  signal: SignalName;
  seed: number;
  params: SignalParams;
  /** phenomenonTime of the last stored observation (epoch ms). */
  last: number;
}

export interface DemoHandle {
  /** Set on the very first demo start only: shown once on the console. */
  readonly adminKey: string | null;
  /** Resolves when the back-fill is stored. */
  readonly backfilled: Promise<void>;
  stop(): void;
}

const TICK_MS = 10_000;
const BATCH = 5_000;

/**
 * The live Can Tho demo: seeds the monitoring network once (idempotent by demo key), back-fills
 * history in the background from where the stored data ends, then keeps adding observations in
 * real time. Restarting on the same database continues; it never duplicates.
 */
export async function startDemo(p: Platform, opts: { simulate: boolean; now?: () => number; tickMs?: number }): Promise<DemoHandle> {
  const now = opts.now ?? Date.now;
  const adminKey = await ensureDemoAdminKey(p);
  const feeds = await seedNetwork(p);
  await startTraceDemo(p); // rice and pangasius lots, demo witness (src/trace/demo)
  const days = p.config.demoBackfillDays;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  // The back-fill is history, stored quietly; what the simulator adds afterwards is new and goes the
  // way every new Observation goes (group commit, then MQTT subscribers and live push).
  const quietly = (b: ObservationInput[]) => p.sensing.observations.write(b);
  const announced = (b: ObservationInput[]) => p.sensing.writeObservations(b);
  const step = async (until: number, write: (b: ObservationInput[]) => Promise<unknown>) => {
    const batch: ObservationInput[] = [];
    const flush = async () => {
      if (!batch.length) return;
      await write(batch.splice(0));
      // A write resolves in microtasks only: without this the whole back-fill (1.7 s here) ran as
      // one stretch, and requests to the server just started waited for all of it.
      await new Promise((resolve) => setImmediate(resolve));
    };
    for (const f of feeds) {
      for (const t of sampleTimes(f.signal, f.last + 1, until)) {
        batch.push({ datastreamId: f.id, phenomenonStart: t, result: valueAt(f.signal, t, f.seed, f.params) });
        f.last = t;
        if (batch.length >= BATCH) await flush();
        if (stopped) return;
      }
    }
    await flush();
  };

  const start = now();
  for (const f of feeds) if (f.last < start - days * 86_400_000) f.last = start - days * 86_400_000;
  const backfilled = (async () => {
    const t0 = Date.now();
    await step(now(), quietly);
    p.logger.info({ ms: Date.now() - t0, feeds: feeds.length, days }, 'demo back-fill done');
  })();
  backfilled.catch((err) => p.logger.error({ err }, 'demo back-fill failed'));

  if (opts.simulate) {
    const tick = () => {
      if (stopped) return;
      backfilled
        .then(() => step(now(), announced))
        .catch((err) => p.logger.error({ err }, 'demo tick failed'))
        .finally(() => {
          if (!stopped) timer = setTimeout(tick, opts.tickMs ?? TICK_MS);
        });
    };
    timer = setTimeout(tick, opts.tickMs ?? TICK_MS);
  }
  return {
    adminKey,
    backfilled,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

async function ensureDemoAdminKey(p: Platform): Promise<string | null> {
  const done = await sql`SELECT value FROM settings WHERE key = 'demo.admin_key_created'`.execute(p.db.kysely);
  if (done.rows.length) return null;
  const uid = await p.keys.ensureUser('demo-admin', 'admin');
  const k = await p.keys.createKey(uid, { label: 'demo', role: 'admin' });
  await p.db.kysely.insertInto('settings').values({ key: 'demo.admin_key_created', value: String(k.id) }).execute();
  return k.secret;
}

/** demoKey → id for rows of a table whose properties carry one. */
async function byDemoKey(p: Platform, table: string): Promise<Map<string, number>> {
  const rows = await sql<{ id: number; properties: string | null }>`SELECT id, properties FROM ${sql.table(table)}`.execute(p.db.kysely);
  const out = new Map<string, number>();
  for (const r of rows.rows) {
    const key = r.properties ? (JSON.parse(r.properties) as { demoKey?: unknown }).demoKey : undefined;
    if (typeof key === 'string' && !out.has(key)) out.set(key, Number(r.id));
  }
  return out;
}

async function seedNetwork(p: Platform): Promise<Feed[]> {
  const things = await byDemoKey(p, 'things');
  for (const station of DEMO_NETWORK) {
    if (things.has(station.key)) continue;
    const sensors = await byDemoKey(p, 'sensors');
    const ops = await byDemoKey(p, 'observed_properties');
    const body = toSensorThingsDeepInsert(station, { sensorId: (k) => sensors.get(k), observedPropertyId: (k) => ops.get(k) });
    await p.sensing.writer.create(ENTITIES.Thing, body);
  }
  const seeds = new Map(DEMO_NETWORK.map((s) => [s.key, seedOf(s.key)]));
  const rows = await sql<{ id: number; properties: string | null; end: number | null; thing_props: string | null }>`
    SELECT d.id, d.properties, d.phenomenon_time_end AS "end", t.properties AS thing_props FROM datastreams d JOIN things t ON t.id = d.thing_id`.execute(p.db.kysely);
  const feeds: Feed[] = [];
  for (const r of rows.rows) {
    const props = r.properties ? (JSON.parse(r.properties) as { signal?: SignalName; params?: SignalParams }) : {};
    const station = r.thing_props ? (JSON.parse(r.thing_props) as { demoKey?: string }).demoKey : undefined;
    if (!props.signal || !station || !seeds.has(station)) continue;
    feeds.push({ id: Number(r.id), signal: props.signal, seed: seeds.get(station)!, params: props.params ?? {}, last: r.end === null ? 0 : Number(r.end) });
  }
  return feeds;
}

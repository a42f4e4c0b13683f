import { sql } from 'kysely';
import { type ResultTypes, typesOf } from '../sensing/write/result-type.ts';
import type { Database } from '../storage/database.ts';

/** What the ingest hot path needs to know about a (Multi)Datastream, without a query per message. */
export interface StreamInfo {
  readonly kind: 'd' | 'm';
  readonly id: number;
  readonly thingId: number;
  readonly isPublic: boolean;
  /** What its results must be: the observationType, or a MultiDatastream's multiObservationDataTypes (§8.2.4 Table 12). */
  readonly types: ResultTypes;
  /** Number of ObservedProperties of a MultiDatastream (its result array length); -1 for a Datastream. */
  readonly arity: number;
}

/** A device as the telemetry topic names it: its Thing and its Datastreams by short code. */
export interface DeviceInfo {
  readonly thingId: number;
  readonly codes: ReadonlyMap<string, StreamInfo>;
}

interface Entry<T> {
  value: T;
  until: number;
}

const TTL_MS = 30_000;
const MISS_TTL_MS = 2_000;

/**
 * Short-lived caches of streams, devices and FeatureOfInterest ids. Entries expire after 30 s
 * (misses after 2 s) and are dropped at once when a Thing, Datastream or MultiDatastream is
 * created or changed through this node (the ingest module calls `invalidate`). Concurrent lookups
 * of one key share one query.
 */
export class StreamCache {
  private readonly streams = new Map<string, Entry<StreamInfo | null>>();
  private readonly devices = new Map<string, Entry<DeviceInfo | null>>();
  private readonly fois = new Map<number, Entry<boolean>>();
  private readonly pending = new Map<string, Promise<unknown>>();

  constructor(private readonly db: Database) {}

  invalidate(): void {
    this.streams.clear();
    this.devices.clear();
  }

  async stream(kind: 'd' | 'm', id: number): Promise<StreamInfo | null> {
    return this.cached(this.streams, `${kind}${id}`, () => this.loadStream(kind, id));
  }

  /** `deviceId` is a Thing's `properties.deviceId`, or else (all digits) the Thing's @iot.id. */
  async device(deviceId: string): Promise<DeviceInfo | null> {
    return this.cached(this.devices, deviceId, () => this.loadDevice(deviceId));
  }

  async foiExists(id: number): Promise<boolean> {
    const now = Date.now();
    const e = this.fois.get(id);
    if (e && e.until > now) return e.value;
    const r = await sql`SELECT 1 AS x FROM features_of_interest WHERE id = ${id}`.execute(this.db.kysely);
    const ok = r.rows.length > 0;
    if (this.fois.size > 100_000) this.fois.clear();
    this.fois.set(id, { value: ok, until: now + (ok ? TTL_MS : MISS_TTL_MS) });
    return ok;
  }

  private async cached<T>(map: Map<string, Entry<T | null>>, key: string, load: () => Promise<T | null>): Promise<T | null> {
    const now = Date.now();
    const e = map.get(key);
    if (e && e.until > now) return e.value;
    const pk = `${map === this.streams ? 's' : 'v'}:${key}`;
    const running = this.pending.get(pk) as Promise<T | null> | undefined;
    if (running) return running;
    const p = load().then(
      (value) => {
        if (map.size > 100_000) map.clear();
        map.set(key, { value, until: Date.now() + (value ? TTL_MS : MISS_TTL_MS) });
        this.pending.delete(pk);
        return value;
      },
      (err) => {
        this.pending.delete(pk);
        throw err;
      },
    );
    this.pending.set(pk, p);
    return p;
  }

  private async loadStream(kind: 'd' | 'm', id: number): Promise<StreamInfo | null> {
    if (kind === 'd') {
      const r = await sql<{ thing_id: number; is_public: number; observation_type: string }>`
        SELECT thing_id, is_public, observation_type FROM datastreams WHERE id = ${id}`.execute(this.db.kysely);
      const row = r.rows[0];
      return row ? { kind, id, thingId: Number(row.thing_id), isPublic: Number(row.is_public) === 1, types: { kind, type: row.observation_type }, arity: -1 } : null;
    }
    const r = await sql<{ thing_id: number; is_public: number; multi_observation_data_types: unknown; n: number }>`
      SELECT m.thing_id, m.is_public, m.multi_observation_data_types,
        (SELECT COUNT(*) FROM multi_datastream_observed_properties p WHERE p.multi_datastream_id = m.id) AS n
      FROM multi_datastreams m WHERE m.id = ${id}`.execute(this.db.kysely);
    const row = r.rows[0];
    return row ? { kind, id, thingId: Number(row.thing_id), isPublic: Number(row.is_public) === 1, types: { kind, types: typesOf(row.multi_observation_data_types) }, arity: Number(row.n) } : null;
  }

  private async loadDevice(deviceId: string): Promise<DeviceInfo | null> {
    const byProp = this.db.dialect === 'postgres'
      ? sql<{ id: number }>`SELECT id FROM things WHERE properties->>'deviceId' = ${deviceId} ORDER BY id LIMIT 1`
      : sql<{ id: number }>`SELECT id FROM things WHERE json_extract(properties, '$.deviceId') = ${deviceId} ORDER BY id LIMIT 1`;
    let thingId = (await byProp.execute(this.db.kysely)).rows[0]?.id;
    if (thingId === undefined && /^\d{1,15}$/.test(deviceId)) {
      thingId = (await sql<{ id: number }>`SELECT id FROM things WHERE id = ${Number(deviceId)}`.execute(this.db.kysely)).rows[0]?.id;
    }
    if (thingId === undefined) return null;
    const rows = (
      await sql<{ id: number; code: string; is_public: number; observation_type: string }>`
      SELECT id, code, is_public, observation_type FROM datastreams WHERE thing_id = ${thingId} AND code IS NOT NULL`.execute(this.db.kysely)
    ).rows;
    const codes = new Map<string, StreamInfo>();
    for (const r of rows) {
      const info: StreamInfo = { kind: 'd', id: Number(r.id), thingId: Number(thingId), isPublic: Number(r.is_public) === 1, types: { kind: 'd', type: r.observation_type }, arity: -1 };
      codes.set(r.code, info);
      this.streams.set(`d${info.id}`, { value: info, until: Date.now() + TTL_MS });
    }
    return { thingId: Number(thingId), codes };
  }
}

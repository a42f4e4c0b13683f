import { type Kysely, sql } from 'kysely';
import { AppError } from '../../core/errors.ts';
import type { Database } from '../../storage/database.ts';
import type { ObservationInput } from './observation-writer.ts';

// biome-ignore lint/suspicious/noExplicitAny: schema typed by the entity model
type Trx = Kysely<any>;

/**
 * Finds the FeatureOfInterest of observations posted without one (§10.2.2.1: the server uses the
 * Thing's Location, creating the FeatureOfInterest from it once and reusing it). Cached per stream;
 * cleared when Things or Locations change.
 */
export class FoiResolver {
  private readonly cache = new Map<string, number>();
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  clear(): void {
    this.cache.clear();
  }

  async resolve(trx: Trx, batch: ObservationInput[]): Promise<number[]> {
    const out = new Array<number>(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const o = batch[i]!;
      if (o.featureOfInterestId !== undefined) {
        out[i] = o.featureOfInterestId;
        continue;
      }
      const key = o.datastreamId !== undefined ? `d${o.datastreamId}` : `m${o.multiDatastreamId}`;
      let foi = this.cache.get(key);
      if (foi === undefined) {
        const r = await this.fromLocation(trx, key);
        foi = r.id;
        // Only committed rows are cached: another transaction must never see an uncommitted id.
        if (r.committed) this.cache.set(key, foi);
      }
      out[i] = foi;
    }
    return out;
  }

  private async fromLocation(trx: Trx, key: string): Promise<{ id: number; committed: boolean }> {
    const table = key[0] === 'd' ? 'datastreams' : 'multi_datastreams';
    const id = Number(key.slice(1));
    const loc = (
      await sql<{ id: number; name: string; description: string; encoding_type: string; location: string; stream: number }>`
      SELECT l.id, l.name, l.description, l.encoding_type, l.location, s.id AS stream FROM ${sql.table(table)} AS s
      LEFT JOIN thing_locations tl ON tl.thing_id = s.thing_id LEFT JOIN locations l ON l.id = tl.location_id
      WHERE s.id = ${id} ORDER BY l.id LIMIT 1`.execute(trx)
    ).rows[0];
    if (!loc) throw new AppError('INVALID_ENTITY', `${table === 'datastreams' ? 'Datastream' : 'MultiDatastream'}(${id}) does not exist`);
    if (loc.id === null || loc.id === undefined) {
      throw new AppError('MISSING_PROPERTY', 'The Observation has no FeatureOfInterest and its Thing has no Location to derive one from');
    }
    const find = async () => (await sql<{ id: number }>`SELECT id FROM features_of_interest WHERE location_id = ${loc.id}`.execute(trx)).rows[0];
    const found = await find();
    if (found) return { id: Number(found.id), committed: true };
    // On PostgreSQL the FeatureOfInterest is created in its own committed statement, so concurrent
    // writers (other connections, other nodes) can reference it at once; the unique index on
    // location_id makes the race harmless. On SQLite writes are serialised: create it in place.
    const pg = this.db.dialect === 'postgres';
    await sql`INSERT INTO features_of_interest (name, description, encoding_type, feature, location_id)
      VALUES (${loc.name}, ${loc.description}, ${loc.encoding_type}, ${pg ? sql`CAST(${loc.location} AS jsonb)` : loc.location}, ${loc.id})
      ON CONFLICT (location_id) WHERE location_id IS NOT NULL DO NOTHING`.execute(pg ? this.db.kysely : trx);
    return { id: Number((await find())!.id), committed: pg };
  }
}

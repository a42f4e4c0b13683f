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
        foi = await this.fromLocation(trx, key);
        this.cache.set(key, foi);
      }
      out[i] = foi;
    }
    return out;
  }

  private async fromLocation(trx: Trx, key: string): Promise<number> {
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
    const found = (await sql<{ id: number }>`SELECT id FROM features_of_interest WHERE location_id = ${loc.id} ORDER BY id LIMIT 1`.execute(trx)).rows[0];
    if (found) return Number(found.id);
    const ins = await sql<{ id: number }>`INSERT INTO features_of_interest (name, description, encoding_type, feature, location_id)
      VALUES (${loc.name}, ${loc.description}, ${loc.encoding_type}, ${this.db.dialect === 'postgres' ? sql`CAST(${loc.location} AS jsonb)` : loc.location}, ${loc.id}) RETURNING id`.execute(trx);
    return Number(ins.rows[0]!.id);
  }
}

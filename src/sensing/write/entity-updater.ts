import { type Kysely, type RawBuilder, sql } from 'kysely';
import { AppError } from '../../core/errors.ts';
import { type Database, turnInsideWrite, writeTx } from '../../storage/database.ts';
import { ENTITIES, type EntityDef } from '../model/entities.ts';
import { propValue, type Row } from '../read/serialize.ts';
import { checkKeys, type Columns, encodeProp, isObject, linkId } from './encode.ts';
import { type Created, type EntityWriter, isPrivate, mustExist, noteCreatedIn } from './entity-writer.ts';
import { applyJsonPatch, type JsonPatchOp } from './json-patch.ts';
import { checkResult, checkStreamTypes } from './result-type.ts';
import { recomputeBuckets } from './rollups.ts';

// biome-ignore lint/suspicious/noExplicitAny: schema typed by the entity model
type Trx = Kysely<any>;

/**
 * PATCH, PUT and JSON-Patch (§10.3) and DELETE with the spec's cascades (§10.4), keeping stream
 * counters and rollups exact.
 */
export class EntityUpdater {
  constructor(
    private readonly db: Database,
    private readonly writer: EntityWriter,
  ) {}

  /** PATCH or PUT; `created` receives the entities made on the way (new Locations of a Thing). */
  async update(e: EntityDef, id: number, body: unknown, mode: 'patch' | 'put', created?: Created[]): Promise<void> {
    await writeTx(this.db, (trx) => {
      noteCreatedIn(trx, created);
      return this.updateIn(trx, e, id, body, mode);
    });
  }

  async jsonPatch(e: EntityDef, id: number, ops: unknown, created?: Created[]): Promise<void> {
    await writeTx(this.db, async (trx) => {
      noteCreatedIn(trx, created);
      const row = await loadRow(trx, e, id);
      const doc: Record<string, unknown> = {};
      for (const p of e.props) if (p.type !== 'id' && !p.readOnly) doc[p.name] = propValue(p, row);
      const next = applyJsonPatch(doc, ops as JsonPatchOp[]);
      await this.updateIn(trx, e, id, next, 'put');
    });
  }

  async updateIn(trx: Trx, e: EntityDef, id: number, body: unknown, mode: 'patch' | 'put'): Promise<void> {
    if (!isObject(body)) throw new AppError('INVALID_ENTITY', `The ${e.name} must be a JSON object`);
    checkKeys(e, body);
    const old = await loadRow(trx, e, id);
    if ('@iot.id' in body && body['@iot.id'] !== id) throw new AppError('INVALID_ENTITY', '@iot.id cannot be changed');
    const cols: Columns = {};
    for (const p of e.props) {
      if (p.type === 'id') continue;
      const v = body[p.name];
      if (v === undefined && (mode === 'patch' || p.readOnly)) continue;
      if (p.readOnly) throw new AppError('INVALID_ENTITY', `${e.name}.${p.name} is set by the server`);
      if (p.type === 'result') {
        if (v === undefined) throw new AppError('MISSING_PROPERTY', 'Observation.result is mandatory');
        const num = typeof v === 'number' && Number.isFinite(v) ? v : null;
        cols.result_num = num;
        cols.result_str = typeof v === 'string' ? v : null;
        cols.result_json = num === null && typeof v !== 'string' ? JSON.stringify(v) : null;
        continue;
      }
      if (e === ENTITIES.Observation && p.name === 'phenomenonTime' && (v === undefined || v === null)) continue;
      encodeProp(e, p, v, cols);
    }
    for (const nav of e.navs) {
      const v = body[nav.name];
      if (v === undefined) continue;
      if (nav.fk) {
        if (!isObject(v) || linkId(v) === undefined) throw new AppError('INVALID_ENTITY', `${e.name}.${nav.name} can only be changed to a link {"@iot.id": n}`);
        const lid = linkId(v)!;
        await mustExist(trx, ENTITIES[nav.target], lid, `${e.name}.${nav.name}`);
        cols[nav.fk] = lid;
      } else if (e === ENTITIES.Thing && nav.name === 'Locations') {
        if (!Array.isArray(v)) throw new AppError('WRONG_TYPE', 'Thing.Locations must be an array');
        const ids: number[] = [];
        for (const item of v) ids.push(await this.writer.linkOrCreate(trx, ENTITIES.Location, item, 'Thing.Locations'));
        await sql`DELETE FROM thing_locations WHERE thing_id = ${id}`.execute(trx);
        for (const l of ids) await trx.insertInto('thing_locations').values({ thing_id: id, location_id: l }).execute();
        await this.writer.historicalLocation(trx, id, ids);
      } else {
        throw new AppError('INVALID_ENTITY', `${e.name}.${nav.name} cannot be changed by PATCH; link from the other side`);
      }
    }
    if (e === ENTITIES.Thing && 'properties' in body) {
      const pub = isPrivate(body.properties) ? 0 : 1;
      cols.is_public = pub;
      await sql`UPDATE datastreams SET is_public = ${pub} WHERE thing_id = ${id}`.execute(trx);
      await sql`UPDATE multi_datastreams SET is_public = ${pub} WHERE thing_id = ${id}`.execute(trx);
    }
    if (e === ENTITIES.Datastream || e === ENTITIES.MultiDatastream) checkStreamTypes(e.name, body, old);
    if ((e === ENTITIES.Datastream || e === ENTITIES.MultiDatastream) && 'properties' in body) {
      const props = body.properties;
      cols.code = isObject(props) && typeof props.code === 'string' ? props.code : null;
    }
    if (e === ENTITIES.Observation && (body.result !== undefined || cols.datastream_id !== undefined || cols.multi_datastream_id !== undefined)) {
      // The result must fit its stream's observationType, whichever of the two changed.
      const stream = (fk: string) => (cols[fk] ?? old[fk] ?? null) as number | null;
      const result = body.result !== undefined ? body.result : propValue(ENTITIES.Observation.props.find((p) => p.type === 'result')!, old);
      await checkResult(trx, { datastreamId: stream('datastream_id'), multiDatastreamId: stream('multi_datastream_id') }, result);
    }
    if (Object.keys(cols).length) await trx.updateTable(e.table).set(cols).where('id', '=', id).execute();
    if (e === ENTITIES.Observation) await this.afterObservationChange(trx, [old], id);
  }

  async delete(e: EntityDef, id: number): Promise<void> {
    await writeTx(this.db, async (trx) => {
      const old = await loadRow(trx, e, id);
      const streams = e === ENTITIES.FeatureOfInterest ? await affectedStreams(trx, id) : [];
      const cascade = this.db.dialect === 'sqlite' ? cascadedObservations(e, id) : null;
      if (cascade) await deleteInChunks(this.db, trx, cascade);
      if (e === ENTITIES.ObservedProperty) {
        // §10.4: MultiDatastreams that use the ObservedProperty go too.
        await sql`DELETE FROM multi_datastreams WHERE id IN (SELECT multi_datastream_id FROM multi_datastream_observed_properties WHERE observed_property_id = ${id})`.execute(trx);
      }
      await sql`DELETE FROM ${sql.table(e.table)} WHERE id = ${id}`.execute(trx);
      if (e === ENTITIES.Location) {
        await sql`DELETE FROM historical_locations WHERE NOT EXISTS (SELECT 1 FROM location_historical_locations l WHERE l.historical_location_id = historical_locations.id)`.execute(trx);
      }
      if (e === ENTITIES.Observation) await this.afterObservationChange(trx, [old], null);
      if (streams.length) await rebuildStreams(trx, streams);
    });
  }

  /** After an Observation PATCH or DELETE: counters, time ranges and the touched rollup hours. */
  private async afterObservationChange(trx: Trx, olds: Row[], id: number | null): Promise<void> {
    for (const old of olds) {
      const ds = old.datastream_id == null ? null : Number(old.datastream_id);
      const times = [Number(old.phenomenon_time_start)];
      if (id !== null) {
        const now = await loadRow(trx, ENTITIES.Observation, id);
        times.push(Number(now.phenomenon_time_start));
      }
      const table = ds !== null ? 'datastreams' : 'multi_datastreams';
      const streamId = ds ?? Number(old.multi_datastream_id);
      await refreshStream(trx, table, streamId);
      if (ds !== null) await recomputeBuckets(trx, ds, times);
    }
  }
}

/** Observations a DELETE of `e` removes by cascade (§10.4), as a condition on `observations`; null: none. */
function cascadedObservations(e: EntityDef, id: number): RawBuilder<unknown> | null {
  const ofStreams = (col: string) =>
    sql`datastream_id IN (SELECT id FROM datastreams WHERE ${sql.ref(col)} = ${id}) OR multi_datastream_id IN (SELECT id FROM multi_datastreams WHERE ${sql.ref(col)} = ${id})`;
  switch (e) {
    case ENTITIES.Datastream:
      return sql`datastream_id = ${id}`;
    case ENTITIES.MultiDatastream:
      return sql`multi_datastream_id = ${id}`;
    case ENTITIES.Thing:
      return ofStreams('thing_id');
    case ENTITIES.Sensor:
      return ofStreams('sensor_id');
    case ENTITIES.ObservedProperty:
      return sql`datastream_id IN (SELECT id FROM datastreams WHERE observed_property_id = ${id}) OR multi_datastream_id IN (SELECT multi_datastream_id FROM multi_datastream_observed_properties WHERE observed_property_id = ${id})`;
    case ENTITIES.FeatureOfInterest:
      return sql`feature_of_interest_id = ${id}`;
    default:
      return null;
  }
}

/** Observations deleted by one statement of deleteInChunks. */
export const DELETE_CHUNK = 10_000;

/**
 * SQLite: deletes the Observations matching `cond` DELETE_CHUNK at a time and lets the event loop
 * run between two chunks, before the cascade would delete them in one statement. A DELETE of a
 * Datastream of a million Observations held the event loop for 1.4 s, and with it every MQTT
 * acknowledgement, Server-Sent Event and request (PostgreSQL deletes in its own process). It is
 * still one transaction: the reads on read threads see nothing half deleted (without read threads
 * there is no turn: turnInsideWrite), writes wait for it as before, and the writing connection's
 * other queries wait for it in Kysely's connection lock.
 */
async function deleteInChunks(db: Database, trx: Trx, cond: RawBuilder<unknown>): Promise<void> {
  for (;;) {
    const r = await sql`DELETE FROM observations WHERE id IN (SELECT id FROM observations WHERE ${cond} LIMIT ${sql.raw(String(DELETE_CHUNK))})`.execute(trx);
    if (Number(r.numAffectedRows ?? 0) < DELETE_CHUNK) return;
    await turnInsideWrite(db);
  }
}

async function loadRow(trx: Trx, e: EntityDef, id: number): Promise<Row> {
  const r = await sql<Row>`SELECT * FROM ${sql.table(e.table)} WHERE id = ${id}`.execute(trx);
  if (!r.rows[0]) throw new AppError('NOT_FOUND', `No ${e.name}(${id})`);
  return r.rows[0];
}

async function affectedStreams(trx: Trx, foiId: number): Promise<number[]> {
  const r = await sql<{ d: number }>`SELECT DISTINCT datastream_id AS d FROM observations WHERE feature_of_interest_id = ${foiId} AND datastream_id IS NOT NULL`.execute(trx);
  return r.rows.map((x) => Number(x.d));
}

/** Recounts a stream and its time ranges from its rows (rare: after deletes). */
async function refreshStream(trx: Trx, table: string, id: number): Promise<void> {
  const fk = table === 'datastreams' ? 'datastream_id' : 'multi_datastream_id';
  await sql`UPDATE ${sql.table(table)} SET
    obs_count = (SELECT COUNT(*) FROM observations WHERE ${sql.ref(fk)} = ${id}),
    phenomenon_time_start = (SELECT MIN(phenomenon_time_start) FROM observations WHERE ${sql.ref(fk)} = ${id}),
    phenomenon_time_end = (SELECT MAX(COALESCE(phenomenon_time_end, phenomenon_time_start)) FROM observations WHERE ${sql.ref(fk)} = ${id}),
    result_time_start = (SELECT MIN(result_time) FROM observations WHERE ${sql.ref(fk)} = ${id}),
    result_time_end = (SELECT MAX(result_time) FROM observations WHERE ${sql.ref(fk)} = ${id})
    WHERE id = ${id}`.execute(trx);
}

/** Rebuilds counters and every rollup of the given Datastreams (after a cascade delete). */
async function rebuildStreams(trx: Trx, ids: number[]): Promise<void> {
  for (const id of ids) {
    await refreshStream(trx, 'datastreams', id);
    await sql`DELETE FROM observation_rollups WHERE datastream_id = ${id}`.execute(trx);
    const hours = await sql<{ b: number }>`SELECT DISTINCT phenomenon_time_start - (phenomenon_time_start % 3600000) AS b FROM observations WHERE datastream_id = ${id} AND result_num IS NOT NULL`.execute(trx);
    await recomputeBuckets(trx, id, hours.rows.map((h) => Number(h.b)));
  }
}


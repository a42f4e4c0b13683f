import { type Kysely, sql } from 'kysely';
import { AppError } from '../../core/errors.ts';
import { type Database, writeTx } from '../../storage/database.ts';
import { ENTITIES, type EntityDef, type NavDef } from '../model/entities.ts';
import { checkKeys, type Columns, encodeProp, isObject, linkId } from './encode.ts';
import { parseObservation } from './observation-input.ts';
import type { ObservationWriter } from './observation-writer.ts';
import { checkResult, checkStreamTypes } from './result-type.ts';

// biome-ignore lint/suspicious/noExplicitAny: schema typed by the entity model
type Trx = Kysely<any>;

/** The parent that a nested create hangs under: its foreign key column on the new row. */
interface ParentLink {
  fk: string;
  id: number;
}

const PRIVATE_FLAG = 'cantho:visibility';

/** An entity made by a write: its type name and id. */
export type Created = [entity: string, id: number];

/** Where each transaction notes the entities it creates, for the caller to announce after commit. */
const createdLists = new WeakMap<object, Created[]>();

/** Notes the entities created in `trx` (deep inserts included) in `list`. */
export function noteCreatedIn(trx: object, list: Created[] | undefined): void {
  if (list) createdLists.set(trx, list);
}

/**
 * Create (with deep insert and links, §10.2), for every entity type. Runs inside the caller's
 * transaction so a deep insert is all or nothing.
 */
export class EntityWriter {
  constructor(
    private readonly db: Database,
    private readonly observations: ObservationWriter,
  ) {}

  /** Creates in a transaction of its own; `created` receives every entity made (nested ones first). */
  async create(e: EntityDef, body: unknown, parent?: { nav: NavDef; id: number; parent: EntityDef }, created?: Created[]): Promise<number> {
    return writeTx(this.db, async (trx) => {
      noteCreatedIn(trx, created);
      const link = parent ? await this.parentLink(trx, parent.parent, parent.nav, parent.id) : undefined;
      const id = await this.createIn(trx, e, body, link?.fk ? { fk: link.fk, id: link.id } : undefined);
      if (link?.via) await this.insertVia(trx, link.via, parent!.id, id, 0, true);
      return id;
    });
  }

  /** How a POST to `Parent(id)/Nav` attaches the new entity. */
  private async parentLink(trx: Trx, parent: EntityDef, nav: NavDef, parentId: number): Promise<{ fk?: string; id: number; via?: NavDef }> {
    await mustExist(trx, parent, parentId);
    if (nav.inverseFk) return { fk: nav.inverseFk, id: parentId };
    if (nav.via) return { id: parentId, via: nav };
    throw new AppError('METHOD_NOT_ALLOWED', `Cannot create a ${nav.target} through ${parent.set}(${parentId})/${nav.name}; POST it to its own collection`);
  }

  async createIn(trx: Trx, e: EntityDef, body: unknown, parent?: ParentLink): Promise<number> {
    if (!isObject(body)) throw new AppError('INVALID_ENTITY', `The ${e.name} must be a JSON object`);
    checkKeys(e, body);
    const cols: Columns = {};
    for (const nav of e.navs) {
      if (!nav.fk) continue;
      if (parent && parent.fk === nav.fk) {
        cols[nav.fk] = parent.id;
        continue;
      }
      const v = body[nav.name];
      if (v === undefined || v === null) {
        if (nav.required) throw new AppError('MISSING_PROPERTY', `${e.name}.${nav.name} is mandatory: link one with {"@iot.id": n} or create it inline`);
        continue;
      }
      cols[nav.fk] = await this.linkOrCreate(trx, ENTITIES[nav.target], v, `${e.name}.${nav.name}`);
    }
    if (e === ENTITIES.Observation) {
      const input = parseObservation(body, {
        datastreamId: cols.datastream_id as number | undefined,
        multiDatastreamId: cols.multi_datastream_id as number | undefined,
        featureOfInterestId: cols.feature_of_interest_id as number | undefined,
      });
      await checkResult(trx, input, input.result);
      const [id] = await this.observations.writeIn(trx, [input]);
      createdLists.get(trx)?.push([e.name, id!]);
      return id!;
    }
    for (const p of e.props) {
      if (p.type === 'id' || p.readOnly) continue;
      const v = body[p.name];
      if (v === undefined && !p.required) continue;
      if (v === undefined) throw new AppError('MISSING_PROPERTY', `${e.name}.${p.name} is mandatory`);
      encodeProp(e, p, v, cols);
    }
    await this.beforeInsert(trx, e, body, cols);
    const row = await trx.insertInto(e.table).values(cols).returning('id').executeTakeFirstOrThrow();
    const id = Number(row.id);
    for (const nav of e.navs) {
      if (nav.fk) continue;
      const v = body[nav.name];
      if (v === undefined) continue;
      if (!Array.isArray(v)) throw new AppError('WRONG_TYPE', `${e.name}.${nav.name} must be an array`);
      if (v.length > 10000) throw new AppError('INVALID_ENTITY', `${e.name}.${nav.name} holds more than 10000 entities`);
      const target = ENTITIES[nav.target];
      for (let i = 0; i < v.length; i++) {
        const item = v[i];
        if (nav.inverseFk) {
          const lid = isObject(item) ? linkId(item) : undefined;
          if (lid !== undefined) {
            await mustExist(trx, target, lid);
            await sql`UPDATE ${sql.table(target.table)} SET ${sql.ref(nav.inverseFk)} = ${id} WHERE id = ${lid}`.execute(trx);
          } else await this.createIn(trx, target, item, { fk: nav.inverseFk, id });
        } else {
          const other = await this.linkOrCreate(trx, target, item, `${e.name}.${nav.name}`);
          await this.insertVia(trx, nav, id, other, i, nav.via!.self === 'location_id');
        }
      }
    }
    // A new Thing or Location changes which FeatureOfInterest an Observation derives.
    if (e === ENTITIES.Thing || e === ENTITIES.Location) this.observations.fois.clear();
    createdLists.get(trx)?.push([e.name, id]);
    return id;
  }

  /** A nested value is a link `{"@iot.id": n}` or a new entity to create. */
  async linkOrCreate(trx: Trx, target: EntityDef, v: unknown, what: string): Promise<number> {
    if (!isObject(v)) throw new AppError('INVALID_ENTITY', `${what} must be an object`);
    const id = linkId(v);
    if (id !== undefined) {
      await mustExist(trx, target, id, what);
      return id;
    }
    return this.createIn(trx, target, v);
  }

  /**
   * Adds a link-table row. For Thing–Location links, `replace` makes the Location the Thing's
   * current one (the old ones stay in the history), and each change adds a HistoricalLocation.
   */
  async insertVia(trx: Trx, nav: NavDef, selfId: number, otherId: number, position = 0, replace = false): Promise<void> {
    const v = nav.via!;
    const cols: Columns = { [v.self]: selfId, [v.other]: otherId };
    if (v.order) cols[v.order] = position;
    const exists = await sql`SELECT 1 AS x FROM ${sql.table(v.table)} WHERE ${sql.ref(v.self)} = ${selfId} AND ${sql.ref(v.other)} = ${otherId}`.execute(trx);
    if (exists.rows.length && !v.order) return;
    await trx.insertInto(v.table).values(cols).execute();
    if (v.table === 'thing_locations') {
      const thingId = v.self === 'thing_id' ? selfId : otherId;
      const locId = v.self === 'thing_id' ? otherId : selfId;
      if (replace) {
        await sql`DELETE FROM thing_locations WHERE thing_id = ${thingId} AND location_id <> ${locId}`.execute(trx);
      }
      await this.historicalLocation(trx, thingId, [locId]);
    }
  }

  private async beforeInsert(trx: Trx, e: EntityDef, body: Record<string, unknown>, cols: Columns): Promise<void> {
    if (e === ENTITIES.Thing) {
      cols.is_public = isPrivate(body.properties) ? 0 : 1;
    } else if (e === ENTITIES.Datastream || e === ENTITIES.MultiDatastream) {
      checkStreamTypes(e.name, body);
      const t = await sql<{ is_public: number }>`SELECT is_public FROM things WHERE id = ${cols.thing_id as number}`.execute(trx);
      cols.is_public = Number(t.rows[0]?.is_public ?? 1);
      const props = body.properties;
      if (isObject(props) && typeof props.code === 'string') cols.code = props.code;
    }
    if (e === ENTITIES.MultiDatastream) {
      const types = body.multiObservationDataTypes as unknown[];
      const units = body.unitOfMeasurements as unknown[];
      const ops = body.ObservedProperties;
      if (!Array.isArray(ops) || ops.length === 0) throw new AppError('MISSING_PROPERTY', 'MultiDatastream.ObservedProperties is mandatory');
      if (types.length !== units.length || types.length !== ops.length) {
        throw new AppError('INVALID_ENTITY', 'MultiDatastream: multiObservationDataTypes, unitOfMeasurements and ObservedProperties must have the same length');
      }
    }
  }


  /** §8.2.3: a Thing's change of Location is recorded as a HistoricalLocation. */
  async historicalLocation(trx: Trx, thingId: number, locationIds: number[]): Promise<void> {
    const hl = await trx.insertInto('historical_locations').values({ thing_id: thingId, time: Date.now() }).returning('id').executeTakeFirstOrThrow();
    for (const l of locationIds) {
      await trx.insertInto('location_historical_locations').values({ location_id: l, historical_location_id: Number(hl.id) }).execute();
    }
    this.observations.fois.clear();
  }
}

export async function mustExist(trx: Trx, e: EntityDef, id: number, what?: string): Promise<void> {
  const r = await sql`SELECT 1 AS x FROM ${sql.table(e.table)} WHERE id = ${id}`.execute(trx);
  if (r.rows.length === 0) {
    throw new AppError(what ? 'INVALID_ENTITY' : 'NOT_FOUND', `${what ? `${what}: ` : ''}${e.name}(${id}) does not exist`);
  }
}

export function isPrivate(props: unknown): boolean {
  return isObject(props) && props[PRIVATE_FLAG] === 'private';
}

import { sql } from 'kysely';
import type { Principal } from '../auth/roles.ts';
import { can } from '../auth/roles.ts';
import { AppError } from '../core/errors.ts';
import { aheadOf, type Database } from '../storage/database.ts';
import { type ResourcePath, parseResourcePath } from './http/path-parser.ts';
import { parseQueryOptions } from './http/query-options.ts';
import { aggregate } from './aggregate/aggregate.service.ts';
import { parseCreateObservations } from './data-array/create-observations.ts';
import { ENTITIES } from './model/entities.ts';
import type { ObservationInput } from './write/observation-writer.ts';
import type { Paging } from './read/collection-query.ts';
import { read, type ReadResult } from './read/reader.ts';
import { resolvePath } from './read/resolve.ts';
import { EntityUpdater } from './write/entity-updater.ts';
import { type Created, EntityWriter } from './write/entity-writer.ts';
import { ObservationWriter } from './write/observation-writer.ts';
import { loadResultTypes, type ResultTypes, resultMisfit } from './write/result-type.ts';
import { explainTimeout } from '../storage/deadline.ts';
import { AnnouncedIds, type Writing } from './announced.ts';

/**
 * A change listener. `observation` is the committed Observation's values when the writer has them
 * at hand (CreateObservations, MQTT), so live push needs no read-back; otherwise it is undefined.
 * `settled`, for a created Observation: every Observation id at or below it has been announced
 * already (this one included), or never will be (see AnnouncedIds).
 */
export type ChangeListener = (entity: string, id: number, kind: 'create' | 'update', observation?: ObservationInput, settled?: number) => void;

/** One entity a write created or changed, announced once the write has committed. */
export type Announcement = [entity: string, id: number, kind: 'create' | 'update', observation?: ObservationInput];

/** What one API call is: who, against which root URL. */
export interface CallContext {
  readonly principal: Principal | null;
  /** `https://host/v1.1` */
  readonly root: string;
  /** A small read (server/answer-budget.ts): on SQLite's read threads it goes before large ones (`aheadOf`). */
  readonly small?: boolean;
}

/**
 * The SensorThings service: reads, creates, updates and deletes by resource path. Routes, batch
 * and MQTT call this, so every way in obeys the same rules.
 */
export class SensingService {
  readonly observations: ObservationWriter;
  readonly writer: EntityWriter;
  readonly updater: EntityUpdater;
  /** Listeners told about every created or changed entity (MQTT subscriptions, live push). */
  private readonly listeners: ChangeListener[] = [];
  private readonly announced = new AnnouncedIds();
  /** Where plain observation batches go (the ingest module's group commit); null = straight to the writer. */
  private sink: ((batch: ObservationInput[]) => Promise<number[]>) | null = null;

  constructor(
    readonly db: Database,
    readonly paging: Paging,
  ) {
    this.observations = new ObservationWriter(db);
    this.writer = new EntityWriter(db, this.observations);
    this.updater = new EntityUpdater(db, this.writer);
  }

  onChange(fn: ChangeListener): void {
    this.listeners.push(fn);
  }

  /** Every Observation id at or below it has been announced (so committed) already, or never will be (see AnnouncedIds). */
  get settled(): number {
    return this.announced.settled;
  }

  /**
   * Runs a write and then announces what it made (every write that may create Observations goes
   * through here or `writeObservations`): the Observations last and in increasing id order, each
   * with how far ids are settled. A listener that throws is reported to `onListenerError` when
   * given (the write stays committed), else the error is thrown.
   */
  async announcing<T>(write: () => Promise<{ result: T; made: Announcement[] }>, onListenerError?: (e: unknown) => void): Promise<T> {
    const w = this.announced.begin();
    try {
      const { result, made } = await write();
      const ids: number[] = [];
      const inputs: (ObservationInput | undefined)[] = [];
      for (const a of made) {
        if (a[0] === 'Observation' && a[2] === 'create') {
          ids.push(a[1]);
          inputs.push(a[3]);
        } else this.tell(a[0], a[1], a[2], a[3], undefined, onListenerError);
      }
      this.announceObservations(w, ids, inputs, onListenerError);
      return result;
    } finally {
      this.announced.end(w);
    }
  }

  /** Announces a write's created Observations, in increasing id order (see AnnouncedIds). */
  private announceObservations(w: Writing, ids: number[], inputs: readonly (ObservationInput | undefined)[], onListenerError?: (e: unknown) => void): void {
    let increasing = true;
    for (let i = 1; i < ids.length && increasing; i++) increasing = ids[i]! > ids[i - 1]!;
    const order = increasing ? null : ids.map((_, i) => i).sort((a, b) => ids[a]! - ids[b]!);
    for (let k = 0; k < ids.length; k++) {
      const i = order ? order[k]! : k;
      this.announced.announcing(w, ids[i]!);
      this.tell('Observation', ids[i]!, 'create', inputs[i], this.announced.settled, onListenerError);
    }
  }

  private tell(entity: string, id: number, kind: 'create' | 'update', observation: ObservationInput | undefined, settled: number | undefined, onListenerError?: (e: unknown) => void): void {
    try {
      for (const l of this.listeners) l(entity, id, kind, observation, settled);
    } catch (e) {
      if (!onListenerError) throw e;
      onListenerError(e);
    }
  }

  /** Installs the writer that plain observation batches go through (the ingest group commit). */
  setObservationSink(sink: ((batch: ObservationInput[]) => Promise<number[]>) | null): void {
    this.sink = sink;
  }

  /**
   * The one write path of already-validated observations (CreateObservations, MQTT): through the
   * sink when one is installed, resolving only after commit, then announced to the listeners.
   */
  async writeObservations(batch: ObservationInput[]): Promise<number[]> {
    // `announcing` without its wrapping: this is the path of every MQTT message.
    const w = this.announced.begin();
    try {
      const ids = await (this.sink ? this.sink(batch) : this.observations.write(batch));
      this.announceObservations(w, ids, batch);
      return ids;
    } finally {
      this.announced.end(w);
    }
  }

  /**
   * Runs a write and then announces every entity it created, nested ones of a deep insert included
   * (§10.2.1.2): `fn` hands `made` to the writer, which notes them per transaction.
   */
  private async announcingCreates<T>(fn: (made: Created[]) => Promise<T>): Promise<T> {
    return this.announcing(async () => {
      const made: Created[] = [];
      const result = await fn(made);
      return { result, made: made.map(([entity, id]): Announcement => [entity, id, 'create']) };
    });
  }

  async get(ctx: CallContext, pathText: string, query: URLSearchParams): Promise<ReadResult> {
    try {
      return await this.getUnmapped(ctx, pathText, query);
    } catch (e) {
      throw explainTimeout(e, this.paging.timeoutMs ?? 0, 'Narrow it: a $filter on phenomenonTime or on the parent entity, a smaller $skip (follow @iot.nextLink), or an $orderby by phenomenonTime or id.');
    }
  }

  private async getUnmapped(ctx: CallContext, pathText: string, query: URLSearchParams): Promise<ReadResult> {
    const db = ctx.small ? aheadOf(this.db) : this.db;
    const agg = /^Datastreams\((\d{1,15})\)\/Aggregate$/.exec(pathText);
    if (agg) {
      const r = await resolvePath(this.db, parseResourcePath(`Datastreams(${agg[1]})`), !can(ctx.principal, 'read:private'));
      const body = await aggregate(db, r.id!, query);
      return { kind: 'json', body: { 'Datastream@iot.navigationLink': `${ctx.root}/Datastreams(${r.id})`, ...body } };
    }
    const path = parseResourcePath(pathText);
    const options = parseQueryOptions(query);
    return read({ db, paging: this.paging, anonymous: !can(ctx.principal, 'read:private'), root: ctx.root }, path, options, query);
  }

  /** POST to a collection (§10.2). Returns the new entity's id and its set name. */
  async create(ctx: CallContext, pathText: string, body: unknown): Promise<{ set: string; id: number }> {
    const path = parseResourcePath(pathText);
    if (path.single || path.property || path.ref) throw new AppError('METHOD_NOT_ALLOWED', 'POST goes to a collection, e.g. /v1.1/Things');
    await this.authorizeCreate(ctx, path, body);
    const e = path.entity;
    const id = await this.announcingCreates(async (made) => {
      if (path.segments.length === 1) return this.writer.create(e, body, undefined, made);
      const parentPath = { ...path, segments: path.segments.slice(0, -1), single: true };
      const parentSeg = path.segments[path.segments.length - 1]!;
      if (parentSeg.kind !== 'nav') throw new AppError('INVALID_PATH', 'Invalid POST path');
      const parent = await resolvePath(this.db, { ...parentPath, entity: parentPath.segments[parentPath.segments.length - 1]!.entity } as ResourcePath, false);
      return this.writer.create(e, body, { nav: parentSeg.nav, id: parent.id!, parent: parent.entity }, made);
    });
    return { set: e.set, id };
  }

  /**
   * `POST /v1.1/CreateObservations` (§14.4): writes every valid row in one transaction and answers
   * with one selfLink per row, or "error" in the place of a rejected row (invalid, an unknown
   * stream, or a result that does not fit the stream's observationType).
   */
  async createObservations(ctx: CallContext, body: unknown): Promise<string[]> {
    const p = ctx.principal;
    if (!can(p, 'write:observations')) throw denied(p);
    const groups = parseCreateObservations(body);
    const streams = [...new Map(groups.map((g) => [`${g.stream.table}:${g.stream.id}`, g.stream])).values()];
    await this.checkScope(p!, streams);
    const known = new Map<string, { types: ResultTypes; arity: number }>();
    for (const s of streams) {
      const t = await loadResultTypes(this.db.kysely, s.table === 'datastreams' ? 'd' : 'm', s.id);
      if (t && t.arity !== 0) known.set(`${s.table}:${s.id}`, t);
    }
    const batch: ObservationInput[] = [];
    const slots: (number | null)[] = [];
    for (const g of groups) {
      const t = known.get(`${g.stream.table}:${g.stream.id}`);
      for (const row of g.rows) {
        const ok = !(row instanceof AppError) && t !== undefined && resultMisfit(g.stream.id, t.types, row.result, t.arity) === null;
        if (ok) {
          slots.push(batch.length);
          batch.push(row as ObservationInput);
        } else slots.push(null);
      }
    }
    const ids = await this.writeObservations(batch);
    // The answer to a large request (100,000 links) takes a stretch of its own: let the deliveries of
    // what it wrote (the change hub) and other sockets have a turn first.
    if (ids.length > 10_000) await new Promise((resolve) => setImmediate(resolve));
    return slots.map((s) => (s === null ? 'error' : `${ctx.root}/Observations(${ids[s]})`));
  }

  async update(ctx: CallContext, pathText: string, body: unknown, mode: 'patch' | 'put' | 'json-patch'): Promise<void> {
    const { path, id } = await this.single(ctx, pathText);
    await this.announcingCreates((made) => (mode === 'json-patch' ? this.updater.jsonPatch(path.entity, id, body, made) : this.updater.update(path.entity, id, body, mode, made)));
    this.tell(path.entity.name, id, 'update', undefined, undefined);
  }

  async delete(ctx: CallContext, pathText: string): Promise<void> {
    const { path, id } = await this.single(ctx, pathText);
    await this.updater.delete(path.entity, id);
  }

  private async single(ctx: CallContext, pathText: string): Promise<{ path: ResourcePath; id: number }> {
    if (!can(ctx.principal, 'write:sensing')) throw denied(ctx.principal);
    const path = parseResourcePath(pathText);
    if (!path.single || path.property || path.ref) throw new AppError('METHOD_NOT_ALLOWED', 'PATCH, PUT and DELETE address one entity, e.g. /v1.1/Things(1)');
    const r = await resolvePath(this.db, path, false);
    return { path, id: r.id! };
  }

  /** Operators and admins create anything; device keys only Observations into their own Things. */
  private async authorizeCreate(ctx: CallContext, path: ResourcePath, body: unknown): Promise<void> {
    const p = ctx.principal;
    if (can(p, 'write:sensing')) return;
    if (!can(p, 'write:observations') || path.entity !== ENTITIES.Observation) throw denied(p);
    const streams: { table: string; id: number }[] = [];
    const parent = path.segments.length > 1 ? path.segments[path.segments.length - 2] : undefined;
    if (parent?.id !== undefined) streams.push({ table: parent.entity.table, id: parent.id });
    const b = body as Record<string, { '@iot.id'?: unknown } | undefined>;
    for (const [k, table] of [['Datastream', 'datastreams'], ['MultiDatastream', 'multi_datastreams']] as const) {
      const link = b?.[k];
      if (link && typeof link === 'object') {
        if (typeof link['@iot.id'] !== 'number' || Object.keys(link).length !== 1) throw new AppError('FORBIDDEN', 'A device key may only link Observations to existing Datastreams');
        streams.push({ table, id: link['@iot.id'] });
      }
    }
    await this.checkScope(p!, streams);
  }

  /** A scoped key may write only into streams of its Things. */
  async checkScope(p: Principal, streams: { table: string; id: number }[]): Promise<void> {
    if (!p.thingScope) return;
    for (const s of streams) {
      const r = await sql<{ thing_id: number }>`SELECT thing_id FROM ${sql.table(s.table)} WHERE id = ${s.id}`.execute(this.db.kysely);
      const thing = r.rows[0]?.thing_id;
      if (thing === undefined || !p.thingScope.has(Number(thing))) throw new AppError('FORBIDDEN', `This key may not write to ${s.table === 'datastreams' ? 'Datastream' : 'MultiDatastream'}(${s.id})`);
    }
  }
}

export function denied(p: Principal | null): AppError {
  return p ? new AppError('FORBIDDEN', `The ${p.role} role may not do this`) : new AppError('UNAUTHENTICATED');
}

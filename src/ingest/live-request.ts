/**
 * What a live-push request asks for: the streams it names (`streamsOf`), and where a resuming
 * client left off (`Last-Event-ID`, `parseCursor`), in the one format events and checkpoints carry
 * (`formatCursor`).
 */
import { sql } from 'kysely';
import { can, type Principal } from '../auth/roles.ts';
import { AppError, isAppError } from '../core/errors.ts';
import type { SensingService } from '../sensing/sensing.service.ts';
import type { ObsSnapshot } from './changes.ts';
import type { StreamCache } from './stream-cache.ts';

/** A change's place in the cluster's one order (several nodes): its NATS stream sequence and its index in that message. */
export type Pos = readonly [seq: number, index: number];

export const before = (a: Pos, b: Pos) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

/** The key of an Observation's stream in a client's set: the Datastream id, or the MultiDatastream id negated. */
export function streamKey(o: ObsSnapshot): number | null {
  return o.ds ?? (o.mds === null ? null : -o.mds);
}

/** A client's stream keys as the ids of each kind. */
export function idsOf(keys: Iterable<number>): { ds: number[]; mds: number[] } {
  const ds: number[] = [];
  const mds: number[] = [];
  for (const k of keys) (k > 0 ? ds : mds).push(Math.abs(k));
  return { ds, mds };
}

/**
 * Where a resuming client left off: `Last-Event-ID` as sent. One node: `<Observation id>`, or
 * `<id>~<w>` where lower ids may still have come after it (every id at or below w came before).
 * Several nodes: `<id>@<seq>.<index>`.
 */
export interface Cursor {
  id: number;
  pos: Pos | null;
  /** One node: the database has what followed above this id. */
  after: number;
}

export function parseCursor(v: unknown): Cursor | null {
  const m = typeof v === 'string' ? /^(\d{1,15})(?:@(\d{1,15})\.(\d{1,6})|~(\d{1,15}))?$/.exec(v) : null;
  if (!m) return null;
  const id = Number(m[1]);
  return { id, pos: m[2] === undefined ? null : [Number(m[2]), Number(m[3])], after: m[4] === undefined ? id : Math.min(id, Number(m[4])) };
}

/** The text of a cursor: `<id>@<seq>.<index>` at a place in the stream, else `<id>~<w>` when lower ids may still come, else `<id>`. */
export function formatCursor(id: number, pos?: Pos, w?: number): string {
  return pos ? `${id}@${pos[0]}.${pos[1]}` : w === undefined ? String(id) : `${id}~${w}`;
}

const MAX_STREAMS = 1000;

/**
 * The streams a request names (keys as `streamKey`): its Datastream and MultiDatastream ids, its
 * Things' streams of both kinds, and the streams its filter matches; 404 for any the caller may not
 * see, as over HTTP.
 */
export async function streamsOf(q: Record<string, string | undefined>, principal: Principal | null, sensing: SensingService, cache: StreamCache, root: () => string): Promise<Set<number>> {
  const ids = (v: string | undefined, what: string) => {
    if (!v) return [];
    const parts = v.split(',');
    if (parts.length > MAX_STREAMS || parts.some((p) => !/^\d{1,15}$/.test(p))) throw new AppError('BAD_REQUEST', `${what} takes up to ${MAX_STREAMS} ids like 1,2,3`);
    return parts.map(Number);
  };
  const out = new Set([...ids(q.datastreams, 'datastreams'), ...ids(q.multidatastreams, 'multidatastreams').map((id) => -id)]);
  const things = ids(q.things, 'things');
  const filter = q.filter?.trim();
  if (out.size === 0 && things.length === 0 && !filter) {
    throw new AppError('BAD_REQUEST', "Name what to follow: ?datastreams=1,2, ?multidatastreams=3, ?things=4, or ?filter= a $filter on Datastreams (e.g. Thing/properties/sector eq 'tài nguyên nước')");
  }
  if (things.length) {
    const db = sensing.db.kysely;
    for (const row of (await sql<{ id: number }>`SELECT id FROM datastreams WHERE thing_id IN (${sql.join(things)})`.execute(db)).rows) out.add(Number(row.id));
    for (const row of (await sql<{ id: number }>`SELECT id FROM multi_datastreams WHERE thing_id IN (${sql.join(things)})`.execute(db)).rows) out.add(-Number(row.id));
  }
  if (filter) {
    // The SensorThings read itself: the same filter language, limits and visibility rules as GET
    // /v1.1/Datastreams, and as GET /v1.1/MultiDatastreams where the filter applies to them too
    // (an area or a sector through Thing does; a Datastream's own unitOfMeasurement does not).
    const matching = async (set: 'Datastreams' | 'MultiDatastreams') => {
      const r = await sensing.get({ principal, root: root() }, set, new URLSearchParams({ $filter: filter, $select: 'id', $top: String(MAX_STREAMS), $orderby: 'id' }));
      const body = r.body as { value: { '@iot.id': number }[]; '@iot.nextLink'?: string };
      if (body['@iot.nextLink']) throw new AppError('BAD_REQUEST', `More than ${MAX_STREAMS} ${set} match the filter; narrow it`);
      return body.value.map((d) => d['@iot.id']);
    };
    for (const id of await matching('Datastreams')) out.add(id);
    const multi = await matching('MultiDatastreams').catch((err: unknown) => {
      // Valid on Datastreams (that read passed), so a refusal here is a property MultiDatastreams lack.
      if (isAppError(err) && (err.code === 'INVALID_FILTER' || err.code === 'UNKNOWN_PROPERTY')) return [];
      throw err;
    });
    for (const id of multi) out.add(-id);
    if (out.size === 0) throw new AppError('NOT_FOUND', 'No Datastream or MultiDatastream matches the filter');
  }
  if (out.size > MAX_STREAMS) throw new AppError('BAD_REQUEST', `At most ${MAX_STREAMS} Datastreams and MultiDatastreams per stream`);
  const anonymous = !can(principal, 'read:private');
  for (const key of out) {
    const s = await cache.stream(key > 0 ? 'd' : 'm', Math.abs(key));
    // Private streams are indistinguishable from absent ones for anonymous callers, as over HTTP.
    if (!s || (anonymous && !s.isPublic)) throw new AppError('NOT_FOUND', `No ${key > 0 ? 'Datastream' : 'MultiDatastream'}(${Math.abs(key)})`);
  }
  return out;
}

import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import { type Database, readerOf } from '../../storage/database.ts';
import { type Deadline, deadlineTerm } from '../../storage/deadline.ts';
import type { EpcMatch, EventQuery } from './query-params.ts';

/** One page of stored events (exact JSON texts) and the keyset position of its last row. */
export interface EventPage {
  readonly events: readonly { leafIndex: number; json: string }[];
  readonly next?: { key: number; leaf: number };
}

// biome-ignore lint/suspicious/noExplicitAny: tables are not described to Kysely
type EB = ExpressionBuilder<any, any>;

function matchExpr(eb: EB, m: EpcMatch) {
  const sub = eb
    .selectFrom('trace_event_epcs as x')
    .select('x.leaf_index')
    .where('x.role', 'in', [...m.roles])
    .where((w) =>
      w.or([
        ...(m.exact.length ? [w('x.epc', 'in', [...m.exact])] : []),
        // An EPC pattern matches the class itself and everything below it ("…/21/<serial>").
        ...m.prefixes.flatMap((p) => [w('x.epc', '=', p), w.and([w('x.epc', '>=', `${p}/`), w('x.epc', '<', `${p}0`)])]),
      ]),
    );
  return eb('e.leaf_index', 'in', sub);
}

/**
 * Runs a SimpleEventQuery with keyset paging. Every filter is a parameterised predicate on an
 * indexed column (or an IN-subquery on the EPC side table), and the page is LIMIT perPage + 1. A
 * page walks one index, though, and filters on the others: a rare bizStep in eventTime order visits
 * every event before it, so the read has a deadline (storage/deadline.ts).
 */
export async function queryEvents(db: Database, q: EventQuery, deadline?: Deadline): Promise<EventPage> {
  const byTime = q.orderBy === 'eventTime';
  const dir = q.desc ? 'desc' : 'asc';
  let s = readerOf(db).selectFrom('trace_events as e').select(['e.leaf_index', 'e.event_time', 'e.event_json']);
  // First: SQLite checks the terms in written order (storage/deadline.ts).
  const stop = deadlineTerm(db, deadline);
  if (stop) s = s.where(stop as Expression<SqlBool>);
  if (q.eventTypes) s = s.where('e.event_type', 'in', [...q.eventTypes]);
  if (q.eventTime.ge !== undefined) s = s.where('e.event_time', '>=', q.eventTime.ge);
  if (q.eventTime.lt !== undefined) s = s.where('e.event_time', '<', q.eventTime.lt);
  if (q.recordTime.ge !== undefined) s = s.where('e.record_time', '>=', q.recordTime.ge);
  if (q.recordTime.lt !== undefined) s = s.where('e.record_time', '<', q.recordTime.lt);
  if (q.actions) s = s.where('e.action', 'in', [...q.actions]);
  if (q.bizSteps) s = s.where('e.biz_step', 'in', [...q.bizSteps]);
  if (q.dispositions) s = s.where('e.disposition', 'in', [...q.dispositions]);
  if (q.readPoints) s = s.where('e.read_point', 'in', [...q.readPoints]);
  if (q.bizLocations) s = s.where('e.biz_location', 'in', [...q.bizLocations]);
  if (q.eventIds) s = s.where('e.event_id', 'in', [...q.eventIds]);
  for (const m of q.matches) s = s.where((eb) => matchExpr(eb, m));
  if (q.after) {
    const { key, leaf } = q.after;
    const op = q.desc ? '<' : '>';
    s = byTime
      ? s.where((eb) => eb.or([eb('e.event_time', op, key), eb.and([eb('e.event_time', '=', key), eb('e.leaf_index', op, leaf)])]))
      : s.where('e.leaf_index', op, leaf);
  }
  if (byTime) s = s.orderBy('e.event_time', dir);
  s = s.orderBy('e.leaf_index', dir).limit(q.perPage + 1);
  const rows = (await s.execute()) as { leaf_index: number; event_time: number; event_json: string }[];
  const more = rows.length > q.perPage;
  const page = rows.slice(0, q.perPage);
  const last = page[page.length - 1];
  return {
    events: page.map((r) => ({ leafIndex: Number(r.leaf_index), json: r.event_json })),
    next: more && last ? { key: byTime ? Number(last.event_time) : Number(last.leaf_index), leaf: Number(last.leaf_index) } : undefined,
  };
}

/** The stored JSON of one event by eventID, or null. */
export async function eventById(db: Database, eventId: string): Promise<{ leafIndex: number; json: string } | null> {
  const r = await sql<{ leaf_index: number; event_json: string }>`SELECT leaf_index, event_json FROM trace_events WHERE event_id = ${eventId}`.execute(db.kysely);
  const row = r.rows[0];
  return row ? { leafIndex: Number(row.leaf_index), json: row.event_json } : null;
}

/**
 * An EPCISQueryDocument around stored event texts, assembled as text so every event is served
 * byte for byte as stored (and hashed into the log), without a parse/serialise round trip.
 */
export function queryDocument(eventJsons: readonly string[], creationDate: string): string {
  const head = JSON.stringify({
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate,
  });
  return `${head.slice(0, -1)},"epcisBody":{"queryResults":{"queryName":"SimpleEventQuery","resultsBody":{"eventList":[${eventJsons.join(',')}]}}}}`;
}

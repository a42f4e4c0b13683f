import { sql } from 'kysely';
import type { Database } from '../storage/database.ts';
import { ENTITIES } from '../sensing/model/entities.ts';
import { renderContext, renderEntity, type Row } from '../sensing/read/serialize.ts';
import type { ObservationInput } from '../sensing/write/observation-writer.ts';

/**
 * A committed Observation's values, enough to render it exactly as GET does and to match it to
 * topics (§14.2.2) and live streams without reading it back. Plain JSON, so it crosses NATS as is.
 */
export interface ObsSnapshot {
  ds: number | null;
  mds: number | null;
  foi: number;
  ps: number;
  pe: number | null;
  rt: number | null;
  result: unknown;
  rq: unknown;
  vs: number | null;
  ve: number | null;
  params: unknown;
}

/** One created or updated entity (deletions are not announced by the MQTT extension). */
export interface Change {
  /** Entity type name: Thing, Observation, … */
  e: string;
  id: number;
  k: 'create' | 'update';
  /** Present for created Observations. */
  o?: ObsSnapshot;
  /**
   * A created Observation announced while lower ids may still come (overlapping writes): every id
   * at or below `w` was announced before it. Absent when that holds for every id below its own.
   */
  w?: number;
}

export function snapshotOf(o: ObservationInput): ObsSnapshot {
  return {
    ds: o.datastreamId ?? null,
    mds: o.multiDatastreamId ?? null,
    foi: o.featureOfInterestId ?? 0,
    ps: o.phenomenonStart,
    pe: o.phenomenonEnd ?? null,
    rt: o.resultTime ?? null,
    result: o.result,
    rq: o.resultQuality ?? null,
    vs: o.validStart ?? null,
    ve: o.validEnd ?? null,
    params: o.parameters ?? null,
  };
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/** The storage row of a snapshot, in the columns the serializer reads (JSON columns as text). */
function rowOf(id: number, s: ObsSnapshot): Row {
  const r = s.result;
  const num = typeof r === 'number' && Number.isFinite(r) ? r : null;
  const str = typeof r === 'string' ? r : null;
  return {
    id,
    phenomenon_time_start: s.ps,
    phenomenon_time_end: s.pe,
    result_time: s.rt,
    result_num: num,
    result_str: str,
    result_json: num === null && str === null ? JSON.stringify(r ?? null) : null,
    result_quality: json(s.rq),
    valid_time_start: s.vs,
    valid_time_end: s.ve,
    parameters: json(s.params),
    datastream_id: s.ds,
    multi_datastream_id: s.mds,
    feature_of_interest_id: s.foi,
  };
}

/** The Observation as GET /v1.1/Observations(id) renders it (§8.2.7), optionally $select-ed. */
export function renderObservation(root: string, id: number, s: ObsSnapshot, select?: readonly string[]): Record<string, unknown> {
  return renderEntity(ENTITIES.Observation, rowOf(id, s), renderContext(root, select));
}

/** Reads snapshots of Observations written elsewhere (HTTP POST, batch) by id. */
export async function loadSnapshots(db: Database, ids: number[]): Promise<Map<number, ObsSnapshot>> {
  const out = new Map<number, ObsSnapshot>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = (
      await sql<Row>`SELECT id, phenomenon_time_start, phenomenon_time_end, result_time, result_num, result_str, result_json, result_quality,
        valid_time_start, valid_time_end, parameters, datastream_id, multi_datastream_id, feature_of_interest_id
        FROM observations WHERE id IN (${sql.join(chunk)})`.execute(db.kysely)
    ).rows;
    for (const r of rows) out.set(Number(r.id), snapshotOfRow(r));
  }
  return out;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const parse = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'string' ? JSON.parse(v) : v);

function snapshotOfRow(r: Row): ObsSnapshot {
  const result = r.result_num !== null && r.result_num !== undefined ? Number(r.result_num) : r.result_str !== null && r.result_str !== undefined ? r.result_str : parse(r.result_json);
  return {
    ds: num(r.datastream_id),
    mds: num(r.multi_datastream_id),
    foi: Number(r.feature_of_interest_id),
    ps: Number(r.phenomenon_time_start),
    pe: num(r.phenomenon_time_end),
    rt: num(r.result_time),
    result,
    rq: parse(r.result_quality),
    vs: num(r.valid_time_start),
    ve: num(r.valid_time_end),
    params: parse(r.parameters),
  };
}

/** Observations of these Datastreams and MultiDatastreams with id > `after`, oldest first (live-push resume beyond the ring buffer). */
export async function loadSince(db: Database, after: number, streams: { ds: number[]; mds: number[] }, limit: number): Promise<[number, ObsSnapshot][]> {
  const of = [
    ...(streams.ds.length ? [sql`datastream_id IN (${sql.join(streams.ds)})`] : []),
    ...(streams.mds.length ? [sql`multi_datastream_id IN (${sql.join(streams.mds)})`] : []),
  ];
  if (of.length === 0) return [];
  const rows = (
    await sql<Row>`SELECT id, phenomenon_time_start, phenomenon_time_end, result_time, result_num, result_str, result_json, result_quality,
      valid_time_start, valid_time_end, parameters, datastream_id, multi_datastream_id, feature_of_interest_id
      FROM observations WHERE id > ${after} AND (${sql.join(of, sql` OR `)}) ORDER BY id LIMIT ${limit}`.execute(db.kysely)
  ).rows;
  return rows.map((r) => [Number(r.id), snapshotOfRow(r)]);
}

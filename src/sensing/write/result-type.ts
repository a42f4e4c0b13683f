import { type Kysely, sql } from 'kysely';
import { AppError } from '../../core/errors.ts';

// biome-ignore lint/suspicious/noExplicitAny: schema typed by the entity model
type Queryable = Kysely<any>;

const OM = 'http://www.opengis.net/def/observationType/OGC-OM/2.0/';

/**
 * What a result must be for each observationType of §8.2.4 Table 12 that fixes one, by its URI or
 * its short name (`OM_Measurement`, which operators write too). Other types (OM_Observation,
 * OM_ComplexObservation, and any URI of the operator's own) take any value.
 */
const TYPED: Record<string, { fits: (v: unknown) => boolean; is: string }> = {
  OM_Measurement: { fits: (v) => typeof v === 'number' && Number.isFinite(v), is: 'a number' },
  OM_CountObservation: { fits: (v) => Number.isSafeInteger(v), is: 'an integer' },
  OM_TruthObservation: { fits: (v) => typeof v === 'boolean', is: 'true or false' },
  OM_CategoryObservation: { fits: (v) => typeof v === 'string', is: 'a string' },
};
const RULES = new Map(Object.entries(TYPED).flatMap(([name, rule]) => [[name, rule], [`${OM}${name}`, rule]] as const));

/** The observation types of O&M 2.0 (ISO 19156), of which §8.2.4 Table 12 names five. */
const OM_TYPES = new Set([
  'OM_CategoryObservation', 'OM_ComplexObservation', 'OM_CountObservation', 'OM_DiscreteCoverageObservation', 'OM_GeometryObservation',
  'OM_Measurement', 'OM_Observation', 'OM_PointCoverageObservation', 'OM_SWEArrayObservation', 'OM_TemporalObservation', 'OM_TimeSeriesObservation', 'OM_TruthObservation',
]);

/**
 * Throws INVALID_ENTITY for an observation type that claims to be one of O&M's (its URI or an
 * `OM_` short name, in any case) but is none of them: a misspelt `OM_Measurment` would otherwise be
 * taken as a type of the operator's own, and the stream's results would go unchecked. Any other
 * URI (a type of the operator's own) is taken as it is.
 */
export function checkObservationType(where: string, type: unknown): void {
  if (typeof type !== 'string') return; // left to the property's own type check
  const lower = type.toLowerCase();
  const uri = lower.startsWith(OM.toLowerCase());
  if (!uri && !lower.startsWith('om_')) return;
  const name = uri ? type.slice(OM.length) : type;
  if (OM_TYPES.has(name) && (!uri || type.startsWith(OM))) return;
  const near = [...OM_TYPES].find((t) => t.toLowerCase() === name.toLowerCase());
  const hint = near ? `; did you mean ${uri ? OM : ''}${near}?` : `; the types are ${OM}OM_Measurement, OM_CountObservation, OM_TruthObservation, OM_CategoryObservation, OM_Observation and the other OM_ names of O&M 2.0`;
  throw new AppError('INVALID_ENTITY', `${where} ${JSON.stringify(type)} is not an O&M 2.0 observation type${hint}`);
}

/**
 * Checks the observation types a Datastream or MultiDatastream body sets; on an update (`old`, the
 * stored row), only those it changes, so that a row stored before this check can still be edited.
 */
export function checkStreamTypes(entity: string, body: Record<string, unknown>, old?: Record<string, unknown>): void {
  if (body.observationType !== undefined && body.observationType !== old?.observation_type) checkObservationType(`${entity}.observationType`, body.observationType);
  const many = body.multiObservationDataTypes;
  if (!Array.isArray(many)) return;
  const before = old ? typesOf(old.multi_observation_data_types) : [];
  many.forEach((t, i) => {
    if (t !== before[i]) checkObservationType(`${entity}.multiObservationDataTypes[${i}]`, t);
  });
}

/** `OM_Measurement` for the standard URIs, else the type as given. */
function shortType(observationType: string): string {
  return observationType.startsWith(OM) ? observationType.slice(OM.length) : observationType;
}

/**
 * Why `v` does not fit `observationType`, as the end of a sentence; null when it fits. A null
 * result fits every type: it says that nothing was observed (FROST-Server stores it too).
 */
export function misfit(observationType: string, v: unknown): string | null {
  const rule = RULES.get(observationType);
  if (!rule || v === null || rule.fits(v)) return null;
  const shown = JSON.stringify(v) ?? String(v);
  return `must be ${rule.is} (${shortType(observationType)}), not ${shown.length > 40 ? `${shown.slice(0, 40)}…` : shown}`;
}

/**
 * The types an Observation's result is checked against: a Datastream's observationType, or the
 * multiObservationDataTypes of a MultiDatastream, one per element of its result array.
 */
export type ResultTypes = { kind: 'd'; type: string } | { kind: 'm'; types: string[] };

/**
 * Checks a result against its stream's types. A MultiDatastream's result is an array with one
 * value per ObservedProperty (`arity`), each checked against its own type. Returns the reason it
 * does not fit, or null.
 */
export function resultMisfit(id: number, types: ResultTypes, result: unknown, arity?: number): string | null {
  if (types.kind === 'd') {
    const why = misfit(types.type, result);
    return why && `The result of an Observation of Datastream(${id}) ${why}`;
  }
  const n = arity ?? types.types.length;
  if (!Array.isArray(result) || result.length !== n) return `The result of a MultiDatastream Observation must be an array of ${n} values`;
  for (let i = 0; i < n; i++) {
    const why = misfit(types.types[i] ?? '', result[i]);
    if (why) return `Element ${i} of the result of an Observation of MultiDatastream(${id}) ${why}`;
  }
  return null;
}

/** Parses multiObservationDataTypes as stored (JSON text on SQLite, already parsed on PostgreSQL). */
export function typesOf(stored: unknown): string[] {
  const v = typeof stored === 'string' ? JSON.parse(stored) : stored;
  return Array.isArray(v) ? v.map(String) : [];
}

/**
 * Loads the result types of a (Multi)Datastream with the number of ObservedProperties of a
 * MultiDatastream; null when it does not exist.
 */
export async function loadResultTypes(q: Queryable, kind: 'd' | 'm', id: number): Promise<{ types: ResultTypes; arity: number } | null> {
  if (kind === 'd') {
    const r = await sql<{ t: string }>`SELECT observation_type AS t FROM datastreams WHERE id = ${id}`.execute(q);
    return r.rows[0] ? { types: { kind, type: r.rows[0].t }, arity: -1 } : null;
  }
  const r = await sql<{ t: unknown; n: number }>`SELECT m.multi_observation_data_types AS t,
      (SELECT COUNT(*) FROM multi_datastream_observed_properties p WHERE p.multi_datastream_id = m.id) AS n
    FROM multi_datastreams m WHERE m.id = ${id}`.execute(q);
  const row = r.rows[0];
  return row ? { types: { kind, types: typesOf(row.t) }, arity: Number(row.n) } : null;
}

/** Throws WRONG_TYPE unless the result fits its stream; a stream that does not exist is left to the foreign keys. */
export async function checkResult(q: Queryable, link: { datastreamId?: number | null; multiDatastreamId?: number | null }, result: unknown): Promise<void> {
  const kind = link.datastreamId != null ? 'd' : link.multiDatastreamId != null ? 'm' : null;
  if (!kind) return;
  const id = (kind === 'd' ? link.datastreamId : link.multiDatastreamId)!;
  const t = await loadResultTypes(q, kind, id);
  const why = t && resultMisfit(id, t.types, result, t.arity);
  if (why) throw new AppError('WRONG_TYPE', why);
}

import { sql } from 'kysely';
import type { Database } from '../../storage/database.ts';
import type { EntityName } from '../model/entities.ts';
import type { RefEntity } from './reference-eval.ts';

/**
 * A small SensorThings dataset for the planner tests (test support): numbers, strings, JSON
 * properties, instants and intervals, points, lines, polygons, a Feature and an invalid polygon.
 * `graph()` gives the entities as the API renders them, linked through navigation properties;
 * `insertDataset()` writes the same rows with plain SQL.
 */

const T = (s: string) => Date.parse(s);
const span = (v: string | null): [number | null, number | null] => {
  if (v === null) return [null, null];
  const [a, b] = v.split('/');
  return [T(a!), b === undefined ? null : T(b)];
};
const iso = (v: string | null) => (v === null ? null : v.split('/').map((x) => new Date(T(x)).toISOString()).join('/'));
const js = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

const POLY = { type: 'Polygon', coordinates: [[[105, 9], [106, 9], [106, 10], [105, 10], [105, 9]]] };

export const THINGS = [
  { id: 1, name: 'Cần Thơ station', description: 'river gauge', properties: { owner: { name: 'An' }, n: 5, tags: ['river', 'gauge'], active: true, ratio: 0.5 } },
  { id: 2, name: 'Hậu Giang farm', description: 'rice field', properties: { owner: { name: 'Bình' }, n: 12, tags: ['farm'], active: false, code: 'A-1' } },
  { id: 3, name: 'Factory 3', description: 'cold store', properties: { n: '12', tags: [], active: null, nested: { list: [1, 'two', [3]] } } },
  { id: 4, name: 'Empty thing', description: '', properties: null },
  { id: 5, name: "O'Brien's buoy", description: 'sea  ', properties: { n: -3.25, owner: 'self' } },
];
export const LOCATIONS = [
  { id: 1, name: 'Gauge point', location: { type: 'Point', coordinates: [105.78, 10.03] }, things: [1] },
  { id: 2, name: 'Farm area', location: POLY, things: [2] },
  { id: 3, name: 'Road', location: { type: 'LineString', coordinates: [[105, 10], [107, 12]] }, things: [2] },
  { id: 4, name: 'Factory', location: { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [106.5, 10.5] } }, things: [3] },
];
export const HISTORICAL_LOCATIONS = [
  { id: 1, thing: 1, time: '2024-01-01T00:00:00Z', locations: [1] },
  { id: 2, thing: 2, time: '2024-06-01T08:30:00Z', locations: [2, 3] },
];
export const SENSORS = [
  { id: 1, name: 'Thermo', metadata: 'http://example.org/thermo.pdf', properties: null },
  { id: 2, name: 'Level', metadata: { doc: 'pdf', pages: 3 }, properties: { calibrated: '2023-05-01' } },
];
export const OBSERVED_PROPERTIES = [
  { id: 1, name: 'Temperature', definition: 'http://example.org/temp' },
  { id: 2, name: 'Water level', definition: 'http://example.org/level' },
];
export const DATASTREAMS = [
  { id: 1, thing: 1, sensor: 1, op: 1, name: 'Temp 1', uom: { name: 'degree Celsius', symbol: '°C' }, pt: '2024-01-01T00:00:00Z/2024-01-02T00:00:00Z', area: POLY, properties: { interval: 60 } },
  { id: 2, thing: 1, sensor: 2, op: 2, name: 'Level 1', uom: { symbol: 'm' }, pt: null, area: null, properties: null },
  { id: 3, thing: 2, sensor: 1, op: 1, name: 'Temp 2', uom: { symbol: '°C' }, pt: '2024-03-01T00:00:00Z/2024-03-01T12:00:00Z', area: null, properties: { interval: 30 } },
  { id: 4, thing: 3, sensor: 2, op: 2, name: 'Level 3', uom: { symbol: 'cm' }, pt: '2023-12-31T23:00:00Z/2024-01-01T00:00:00Z', area: { type: 'Point', coordinates: [106.5, 10.5] }, properties: {} },
  { id: 5, thing: 2, sensor: 1, op: 2, name: 'Empty', uom: {}, pt: null, area: null, properties: null },
];
export const FEATURES = [
  { id: 1, name: 'Gauge', feature: { type: 'Point', coordinates: [105.78, 10.03] } },
  { id: 2, name: 'Field', feature: { type: 'Polygon', coordinates: [[[105.2, 9.2], [105.8, 9.2], [105.8, 9.8], [105.2, 9.8], [105.2, 9.2]]] } },
  { id: 3, name: 'Bad', feature: { type: 'Polygon', coordinates: [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]] } },
];
type Obs = { id: number; ds: number; foi: number; pt: string; rt: string | null; vt: string | null; result: unknown; params: unknown };
export const OBSERVATIONS: Obs[] = [
  { id: 1, ds: 1, foi: 1, pt: '2024-01-01T00:00:00Z', rt: '2024-01-01T00:00:05Z', vt: null, result: 21.5, params: { depth: 1.5, ok: true } },
  { id: 2, ds: 1, foi: 1, pt: '2024-01-01T06:00:00Z', rt: null, vt: null, result: 22, params: null },
  { id: 3, ds: 1, foi: 1, pt: '2024-01-01T12:30:45.250Z', rt: '2024-01-01T12:31:00Z', vt: '2024-01-01T00:00:00Z/2024-01-02T00:00:00Z', result: -3.5, params: { depth: 2, note: 'x' } },
  { id: 4, ds: 1, foi: 2, pt: '2024-01-01T18:00:00Z/2024-01-01T19:00:00Z', rt: null, vt: null, result: 0, params: null },
  { id: 5, ds: 1, foi: 2, pt: '2024-01-02T00:00:00Z', rt: '2024-01-02T00:00:00Z', vt: null, result: 100, params: { depth: -1 } },
  { id: 6, ds: 2, foi: 1, pt: '2024-02-29T23:59:59.999Z', rt: null, vt: null, result: 0.001, params: null },
  { id: 7, ds: 2, foi: 1, pt: '2024-03-01T00:00:00Z', rt: null, vt: '2024-03-01T00:00:00Z/2024-03-02T00:00:00Z', result: 'high', params: { note: 'Cần' } },
  { id: 8, ds: 2, foi: 3, pt: '2024-03-01T06:00:00Z', rt: null, vt: null, result: 'low', params: null },
  { id: 9, ds: 2, foi: 3, pt: '1969-12-31T23:59:59.500Z', rt: '1970-01-01T00:00:00Z', vt: null, result: '', params: null },
  { id: 10, ds: 3, foi: 2, pt: '2024-03-01T00:00:00Z/2024-03-01T06:00:00Z', rt: null, vt: null, result: '21.5', params: { ok: false } },
  { id: 11, ds: 3, foi: 2, pt: '2024-03-01T12:00:00Z', rt: '2024-03-01T12:00:00Z', vt: null, result: true, params: null },
  { id: 12, ds: 3, foi: 1, pt: '2000-02-29T10:20:30.456Z', rt: null, vt: null, result: false, params: null },
  { id: 13, ds: 3, foi: 1, pt: '2024-01-01T00:00:00Z', rt: null, vt: null, result: { a: 1, b: 'x', c: [1, 2] }, params: null },
  { id: 14, ds: 4, foi: 2, pt: '2023-12-31T23:00:00Z', rt: null, vt: null, result: [1, 2, 3], params: null },
  { id: 15, ds: 4, foi: 2, pt: '2023-12-31T23:30:00Z', rt: null, vt: '2023-12-31T23:00:00Z/2024-01-01T00:00:00Z', result: null, params: { depth: 0 } },
  { id: 16, ds: 4, foi: 3, pt: '2024-01-01T00:00:00Z', rt: null, vt: null, result: 7, params: null },
  { id: 17, ds: 4, foi: 3, pt: '2024-01-01T00:00:00Z/2024-01-01T00:00:00.001Z', rt: null, vt: null, result: 12.25, params: null },
  { id: 18, ds: 1, foi: 1, pt: '2024-01-01T00:00:00Z/2024-01-02T00:00:00Z', rt: null, vt: null, result: 'Cần Thơ', params: { depth: 1.5 } },
];

export interface Graph {
  readonly Thing: RefEntity[];
  readonly Location: RefEntity[];
  readonly HistoricalLocation: RefEntity[];
  readonly Sensor: RefEntity[];
  readonly ObservedProperty: RefEntity[];
  readonly Datastream: RefEntity[];
  readonly MultiDatastream: RefEntity[];
  readonly Observation: RefEntity[];
  readonly FeatureOfInterest: RefEntity[];
}

/** The dataset as API-shaped objects with navigation properties linked. */
export function graph(): Graph & Record<EntityName, RefEntity[]> {
  const byId = (list: RefEntity[], id: number) => list.find((x) => x['@iot.id'] === id)!;
  const things = THINGS.map((t) => ({ '@iot.id': t.id, name: t.name, description: t.description, properties: t.properties, Locations: [], HistoricalLocations: [], Datastreams: [], MultiDatastreams: [] }) as RefEntity);
  const locations = LOCATIONS.map((l) => ({ '@iot.id': l.id, name: l.name, description: 'd', encodingType: 'application/geo+json', location: l.location, properties: null, Things: [], HistoricalLocations: [] }) as RefEntity);
  for (const l of LOCATIONS) for (const t of l.things) link(byId(things, t), 'Locations', byId(locations, l.id), 'Things');
  const hls = HISTORICAL_LOCATIONS.map((h) => ({ '@iot.id': h.id, time: new Date(T(h.time)).toISOString(), Thing: null, Locations: [] }) as RefEntity);
  for (const h of HISTORICAL_LOCATIONS) {
    const o = byId(hls, h.id);
    o.Thing = byId(things, h.thing);
    (byId(things, h.thing).HistoricalLocations as RefEntity[]).push(o);
    for (const l of h.locations) link(o, 'Locations', byId(locations, l), 'HistoricalLocations');
  }
  const sensors = SENSORS.map((s) => ({ '@iot.id': s.id, name: s.name, description: 'd', encodingType: 'application/pdf', metadata: s.metadata, properties: s.properties, Datastreams: [], MultiDatastreams: [] }) as RefEntity);
  const ops = OBSERVED_PROPERTIES.map((p) => ({ '@iot.id': p.id, name: p.name, definition: p.definition, description: 'd', properties: null, Datastreams: [], MultiDatastreams: [] }) as RefEntity);
  const dss = DATASTREAMS.map((d) => {
    const o: RefEntity = { '@iot.id': d.id, name: d.name, description: `${d.name} stream`, unitOfMeasurement: d.uom, observationType: 'OM_Measurement', observedArea: d.area, phenomenonTime: iso(d.pt), resultTime: iso(d.pt), properties: d.properties, Observations: [] };
    o.Thing = byId(things, d.thing);
    o.Sensor = byId(sensors, d.sensor);
    o.ObservedProperty = byId(ops, d.op);
    (byId(things, d.thing).Datastreams as RefEntity[]).push(o);
    (byId(sensors, d.sensor).Datastreams as RefEntity[]).push(o);
    (byId(ops, d.op).Datastreams as RefEntity[]).push(o);
    return o;
  });
  const fois = FEATURES.map((f) => ({ '@iot.id': f.id, name: f.name, description: 'd', encodingType: 'application/geo+json', feature: f.feature, properties: null, Observations: [] }) as RefEntity);
  const obs = OBSERVATIONS.map((x) => {
    const o: RefEntity = { '@iot.id': x.id, phenomenonTime: iso(x.pt), resultTime: iso(x.rt), result: x.result, resultQuality: null, validTime: iso(x.vt), parameters: x.params, MultiDatastream: null };
    o.Datastream = byId(dss, x.ds);
    o.FeatureOfInterest = byId(fois, x.foi);
    (byId(dss, x.ds).Observations as RefEntity[]).push(o);
    (byId(fois, x.foi).Observations as RefEntity[]).push(o);
    return o;
  });
  return { Thing: things, Location: locations, HistoricalLocation: hls, Sensor: sensors, ObservedProperty: ops, Datastream: dss, MultiDatastream: [], Observation: obs, FeatureOfInterest: fois };
}

function link(a: RefEntity, an: string, b: RefEntity, bn: string): void {
  (a[an] as RefEntity[]).push(b);
  (b[bn] as RefEntity[]).push(a);
}

/** Writes the dataset with plain SQL (call migrate(db) first). */
export async function insertDataset(db: Database): Promise<void> {
  const k = db.kysely;
  const run = (q: ReturnType<typeof sql>) => q.execute(k);
  for (const t of THINGS) await run(sql`INSERT INTO things (id, name, description, properties) VALUES (${t.id}, ${t.name}, ${t.description}, ${js(t.properties)})`);
  for (const l of LOCATIONS) {
    await run(sql`INSERT INTO locations (id, name, description, encoding_type, location) VALUES (${l.id}, ${l.name}, 'd', 'application/geo+json', ${js(l.location)})`);
    for (const t of l.things) await run(sql`INSERT INTO thing_locations (thing_id, location_id) VALUES (${t}, ${l.id})`);
  }
  for (const h of HISTORICAL_LOCATIONS) {
    await run(sql`INSERT INTO historical_locations (id, thing_id, time) VALUES (${h.id}, ${h.thing}, ${T(h.time)})`);
    for (const l of h.locations) await run(sql`INSERT INTO location_historical_locations (location_id, historical_location_id) VALUES (${l}, ${h.id})`);
  }
  for (const s of SENSORS) await run(sql`INSERT INTO sensors (id, name, description, encoding_type, metadata, properties) VALUES (${s.id}, ${s.name}, 'd', 'application/pdf', ${js(s.metadata)}, ${js(s.properties)})`);
  for (const p of OBSERVED_PROPERTIES) await run(sql`INSERT INTO observed_properties (id, name, definition, description) VALUES (${p.id}, ${p.name}, ${p.definition}, 'd')`);
  for (const d of DATASTREAMS) {
    const [ps, pe] = span(d.pt);
    await run(sql`INSERT INTO datastreams (id, name, description, observation_type, unit_of_measurement, observed_area, phenomenon_time_start, phenomenon_time_end,
      result_time_start, result_time_end, properties, thing_id, sensor_id, observed_property_id)
      VALUES (${d.id}, ${d.name}, ${`${d.name} stream`}, 'OM_Measurement', ${js(d.uom)}, ${js(d.area)}, ${ps}, ${pe}, ${ps}, ${pe}, ${js(d.properties)}, ${d.thing}, ${d.sensor}, ${d.op})`);
  }
  for (const f of FEATURES) await run(sql`INSERT INTO features_of_interest (id, name, description, encoding_type, feature) VALUES (${f.id}, ${f.name}, 'd', 'application/geo+json', ${js(f.feature)})`);
  for (const o of OBSERVATIONS) {
    const [ps, pe] = span(o.pt);
    const [vs, ve] = span(o.vt);
    const num = typeof o.result === 'number' ? o.result : null;
    const str = typeof o.result === 'string' ? o.result : null;
    const json = num === null && str === null ? JSON.stringify(o.result) : null;
    await run(sql`INSERT INTO observations (id, phenomenon_time_start, phenomenon_time_end, result_time, result_num, result_str, result_json, valid_time_start, valid_time_end, parameters, datastream_id, feature_of_interest_id)
      VALUES (${o.id}, ${ps}, ${pe}, ${o.rt === null ? null : T(o.rt)}, ${num}, ${str}, ${json}, ${vs}, ${ve}, ${js(o.params)}, ${o.ds}, ${o.foi})`);
  }
}

/**
 * The SensorThings API 1.1 data model (OGC 18-088 §8.2), as the one table of facts that the path
 * parser, the OData-to-SQL planner, the serializer and the write service all read. Adding a property
 * here is the only step needed to make it readable, filterable, orderable and writable.
 */

/** Storage type of a property; decides SQL mapping, literal coercion and JSON rendering. */
export type PropType =
  | 'id' // integer @iot.id
  | 'string'
  | 'json' // any JSON value, stored as JSON text (jsonb on PostgreSQL)
  | 'geometry' // GeoJSON object, stored as JSON text; geo functions apply
  | 'time' // instant: epoch milliseconds UTC in one integer column
  | 'interval' // ISO 8601 interval or instant: two epoch-ms columns (start, end nullable)
  | 'result'; // Observation.result: number | string | other JSON (three columns)

export interface PropDef {
  /** Name in the API (JSON key). */
  readonly name: string;
  readonly type: PropType;
  /** Column for single-column types. */
  readonly column?: string;
  /** Start/end columns for 'interval'; [num, str, json] for 'result'. */
  readonly columns?: readonly string[];
  /** Mandatory on create (§8.2 tables: multiplicity 1). */
  readonly required?: boolean;
  /** Not settable by clients (id). */
  readonly readOnly?: boolean;
  /** When the property is absent on create, the server fills it (encodingType defaults etc.). */
  readonly nullable?: boolean;
}

export type EntityName =
  | 'Thing'
  | 'Location'
  | 'HistoricalLocation'
  | 'Sensor'
  | 'ObservedProperty'
  | 'Datastream'
  | 'MultiDatastream'
  | 'Observation'
  | 'FeatureOfInterest';

/** A navigation property and how its rows are found in SQL. */
export interface NavDef {
  readonly name: string;
  readonly target: EntityName;
  readonly kind: 'one' | 'many';
  /** 'one': column on this entity's table holding the target id. */
  readonly fk?: string;
  /** 'many' via a foreign key on the target table pointing back to this entity. */
  readonly inverseFk?: string;
  /** 'many' (or 'one' through a link table, e.g. HistoricalLocation.Locations). */
  readonly via?: { readonly table: string; readonly self: string; readonly other: string; readonly order?: string };
  /** Required on create (§10.2: e.g. Datastream needs Thing, Sensor, ObservedProperty). */
  readonly required?: boolean;
}

export interface EntityDef {
  readonly name: EntityName;
  /** Entity set name in paths: Things, Locations, ... */
  readonly set: string;
  readonly table: string;
  readonly props: readonly PropDef[];
  readonly navs: readonly NavDef[];
}

const id: PropDef = { name: '@iot.id', type: 'id', column: 'id', readOnly: true };
const name: PropDef = { name: 'name', type: 'string', column: 'name', required: true };
const description: PropDef = { name: 'description', type: 'string', column: 'description', required: true };
const properties: PropDef = { name: 'properties', type: 'json', column: 'properties', nullable: true };
const encodingType: PropDef = { name: 'encodingType', type: 'string', column: 'encoding_type', required: true };
const streamTimes: PropDef[] = [
  { name: 'observedArea', type: 'geometry', column: 'observed_area', readOnly: true, nullable: true },
  { name: 'phenomenonTime', type: 'interval', columns: ['phenomenon_time_start', 'phenomenon_time_end'], readOnly: true, nullable: true },
  { name: 'resultTime', type: 'interval', columns: ['result_time_start', 'result_time_end'], readOnly: true, nullable: true },
];

export const ENTITIES: Readonly<Record<EntityName, EntityDef>> = {
  Thing: {
    name: 'Thing',
    set: 'Things',
    table: 'things',
    props: [id, name, description, properties],
    navs: [
      { name: 'Locations', target: 'Location', kind: 'many', via: { table: 'thing_locations', self: 'thing_id', other: 'location_id' } },
      { name: 'HistoricalLocations', target: 'HistoricalLocation', kind: 'many', inverseFk: 'thing_id' },
      { name: 'Datastreams', target: 'Datastream', kind: 'many', inverseFk: 'thing_id' },
      { name: 'MultiDatastreams', target: 'MultiDatastream', kind: 'many', inverseFk: 'thing_id' },
    ],
  },
  Location: {
    name: 'Location',
    set: 'Locations',
    table: 'locations',
    props: [id, name, description, encodingType, { name: 'location', type: 'geometry', column: 'location', required: true }, properties],
    navs: [
      { name: 'Things', target: 'Thing', kind: 'many', via: { table: 'thing_locations', self: 'location_id', other: 'thing_id' } },
      {
        name: 'HistoricalLocations',
        target: 'HistoricalLocation',
        kind: 'many',
        via: { table: 'location_historical_locations', self: 'location_id', other: 'historical_location_id' },
      },
    ],
  },
  HistoricalLocation: {
    name: 'HistoricalLocation',
    set: 'HistoricalLocations',
    table: 'historical_locations',
    props: [id, { name: 'time', type: 'time', column: 'time', required: true }],
    navs: [
      { name: 'Thing', target: 'Thing', kind: 'one', fk: 'thing_id', required: true },
      {
        name: 'Locations',
        target: 'Location',
        kind: 'many',
        via: { table: 'location_historical_locations', self: 'historical_location_id', other: 'location_id' },
      },
    ],
  },
  Sensor: {
    name: 'Sensor',
    set: 'Sensors',
    table: 'sensors',
    props: [id, name, description, encodingType, { name: 'metadata', type: 'json', column: 'metadata', required: true }, properties],
    navs: [
      { name: 'Datastreams', target: 'Datastream', kind: 'many', inverseFk: 'sensor_id' },
      { name: 'MultiDatastreams', target: 'MultiDatastream', kind: 'many', inverseFk: 'sensor_id' },
    ],
  },
  ObservedProperty: {
    name: 'ObservedProperty',
    set: 'ObservedProperties',
    table: 'observed_properties',
    props: [id, name, { name: 'definition', type: 'string', column: 'definition', required: true }, description, properties],
    navs: [
      { name: 'Datastreams', target: 'Datastream', kind: 'many', inverseFk: 'observed_property_id' },
      {
        name: 'MultiDatastreams',
        target: 'MultiDatastream',
        kind: 'many',
        via: { table: 'multi_datastream_observed_properties', self: 'observed_property_id', other: 'multi_datastream_id' },
      },
    ],
  },
  Datastream: {
    name: 'Datastream',
    set: 'Datastreams',
    table: 'datastreams',
    props: [
      id,
      name,
      description,
      { name: 'unitOfMeasurement', type: 'json', column: 'unit_of_measurement', required: true },
      { name: 'observationType', type: 'string', column: 'observation_type', required: true },
      ...streamTimes,
      properties,
    ],
    navs: [
      { name: 'Thing', target: 'Thing', kind: 'one', fk: 'thing_id', required: true },
      { name: 'Sensor', target: 'Sensor', kind: 'one', fk: 'sensor_id', required: true },
      { name: 'ObservedProperty', target: 'ObservedProperty', kind: 'one', fk: 'observed_property_id', required: true },
      { name: 'Observations', target: 'Observation', kind: 'many', inverseFk: 'datastream_id' },
    ],
  },
  MultiDatastream: {
    name: 'MultiDatastream',
    set: 'MultiDatastreams',
    table: 'multi_datastreams',
    props: [
      id,
      name,
      description,
      { name: 'unitOfMeasurements', type: 'json', column: 'unit_of_measurements', required: true },
      { name: 'observationType', type: 'string', column: 'observation_type', required: true },
      { name: 'multiObservationDataTypes', type: 'json', column: 'multi_observation_data_types', required: true },
      ...streamTimes,
      properties,
    ],
    navs: [
      { name: 'Thing', target: 'Thing', kind: 'one', fk: 'thing_id', required: true },
      { name: 'Sensor', target: 'Sensor', kind: 'one', fk: 'sensor_id', required: true },
      {
        name: 'ObservedProperties',
        target: 'ObservedProperty',
        kind: 'many',
        required: true,
        via: { table: 'multi_datastream_observed_properties', self: 'multi_datastream_id', other: 'observed_property_id', order: 'position' },
      },
      { name: 'Observations', target: 'Observation', kind: 'many', inverseFk: 'multi_datastream_id' },
    ],
  },
  Observation: {
    name: 'Observation',
    set: 'Observations',
    table: 'observations',
    props: [
      id,
      { name: 'phenomenonTime', type: 'interval', columns: ['phenomenon_time_start', 'phenomenon_time_end'], nullable: true },
      { name: 'resultTime', type: 'time', column: 'result_time', nullable: true },
      { name: 'result', type: 'result', columns: ['result_num', 'result_str', 'result_json'], required: true },
      { name: 'resultQuality', type: 'json', column: 'result_quality', nullable: true },
      { name: 'validTime', type: 'interval', columns: ['valid_time_start', 'valid_time_end'], nullable: true },
      { name: 'parameters', type: 'json', column: 'parameters', nullable: true },
    ],
    navs: [
      { name: 'Datastream', target: 'Datastream', kind: 'one', fk: 'datastream_id' },
      { name: 'MultiDatastream', target: 'MultiDatastream', kind: 'one', fk: 'multi_datastream_id' },
      { name: 'FeatureOfInterest', target: 'FeatureOfInterest', kind: 'one', fk: 'feature_of_interest_id' },
    ],
  },
  FeatureOfInterest: {
    name: 'FeatureOfInterest',
    set: 'FeaturesOfInterest',
    table: 'features_of_interest',
    props: [id, name, description, encodingType, { name: 'feature', type: 'geometry', column: 'feature', required: true }, properties],
    navs: [{ name: 'Observations', target: 'Observation', kind: 'many', inverseFk: 'feature_of_interest_id' }],
  },
};

/** Entity by its set name (`Things` → Thing). */
export const ENTITY_BY_SET: ReadonlyMap<string, EntityDef> = new Map(Object.values(ENTITIES).map((e) => [e.set, e]));

export function propOf(e: EntityDef, name: string): PropDef | undefined {
  return e.props.find((p) => p.name === name);
}

export function navOf(e: EntityDef, name: string): NavDef | undefined {
  return e.navs.find((n) => n.name === name);
}

/** `id` is accepted as an alias of `@iot.id` in $filter/$orderby/$select (FROST does the same). */
export function propForQuery(e: EntityDef, name: string): PropDef | undefined {
  return propOf(e, name === 'id' ? '@iot.id' : name);
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENTITIES, type EntityName } from '../sensing/model/entities.ts';
import { backfillObservationCount, DEMO_NETWORK, toSensorThingsDeepInsert } from './network.ts';
import { SIGNAL_NAMES } from './signals.ts';

// City bounding box from seed/PLACES.md (GADM 4.1 extent of pre-2025 Can Tho).
const BBOX = { west: 105.2257, south: 9.9193, east: 105.8443, north: 10.3253 };
// Letters that only Vietnamese spelling uses (tone marks, ă â đ ê ô ơ ư).
const VIETNAMESE = /[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]/i;

test('every station lies inside the city bounding box, GeoJSON lon/lat order', () => {
  for (const s of DEMO_NETWORK) {
    const [lon, lat] = s.location.geometry.coordinates;
    assert.ok(lon >= BBOX.west && lon <= BBOX.east, `${s.key} lon ${lon}`);
    assert.ok(lat >= BBOX.south && lat <= BBOX.north, `${s.key} lat ${lat}`);
  }
});

test('names and descriptions are Vietnamese', () => {
  for (const s of DEMO_NETWORK) {
    for (const text of [s.name, s.description, s.location.description, s.properties.district, s.properties.sector]) {
      assert.match(text, VIETNAMESE, `${s.key}: "${text}"`);
    }
    for (const ds of s.datastreams) {
      assert.match(ds.name, VIETNAMESE, ds.key);
      assert.match(ds.observedProperty.name, VIETNAMESE, ds.key);
      assert.match(ds.sensor.name, VIETNAMESE, ds.key);
    }
  }
});

test('keys are unique and stable in shape; codes unique per station; signals known', () => {
  const stationKeys = new Set<string>();
  const streamKeys = new Set<string>();
  for (const s of DEMO_NETWORK) {
    assert.match(s.key, /^[a-z0-9-]+$/);
    assert.ok(!stationKeys.has(s.key), `duplicate station key ${s.key}`);
    stationKeys.add(s.key);
    const codes = new Set<string>();
    for (const ds of s.datastreams) {
      assert.match(ds.code, /^[a-z0-9_]+$/);
      assert.ok(!codes.has(ds.code), `duplicate code ${ds.code} in ${s.key}`);
      codes.add(ds.code);
      assert.equal(ds.key, `${s.key}/${ds.code}`);
      assert.ok(!streamKeys.has(ds.key), `duplicate datastream key ${ds.key}`);
      streamKeys.add(ds.key);
      assert.ok(SIGNAL_NAMES.includes(ds.signal), ds.signal);
    }
  }
});

test('the network has every kind of station the brief lists', () => {
  const count = (kind: string): number => DEMO_NETWORK.filter((s) => s.kind === kind).length;
  assert.equal(count('water_level'), 1);
  assert.ok(count('salinity') >= 2 && count('salinity') <= 3);
  assert.equal(count('air_quality'), 2);
  assert.equal(count('weather'), 3);
  assert.equal(count('pond'), 2);
  assert.equal(count('traffic'), 2);
  assert.equal(count('power'), 2);
  const sectors = new Set(DEMO_NETWORK.map((s) => s.properties.sector));
  assert.deepEqual([...sectors].sort(), ['giao thông', 'môi trường', 'nông nghiệp', 'năng lượng', 'tài nguyên nước'].sort());
  for (const s of DEMO_NETWORK) assert.ok(s.properties.operator.length > 0, s.key);
});

test('the Cần Thơ water-level datastream carries BĐ I/II/III = 1.80/1.90/2.00 m', () => {
  const ds = DEMO_NETWORK.find((s) => s.key === 'tv-can-tho')?.datastreams.find((d) => d.code === 'water_level');
  assert.ok(ds);
  assert.equal(ds.unitOfMeasurement.symbol, 'm');
  assert.deepEqual(
    ds.thresholds?.map((t) => [t.level, t.value]),
    [
      ['BĐ I', 1.8],
      ['BĐ II', 1.9],
      ['BĐ III', 2.0],
    ],
  );
});

test('definitions are vocabulary URIs: observed properties resolvable, units from QUDT, O&M measurement', () => {
  for (const s of DEMO_NETWORK) {
    for (const ds of s.datastreams) {
      assert.match(ds.observedProperty.definition, /^https?:\/\/\S+$/, ds.key);
      assert.match(ds.unitOfMeasurement.definition, /^http:\/\/qudt\.org\/vocab\/unit\/[A-Za-z0-9-_]+$/, ds.key);
      assert.equal(ds.observationType, 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement');
    }
  }
});

/** Mandatory properties per entity, read from the entity model, plus the brief's explicit list. */
function mandatory(entity: EntityName): string[] {
  return ENTITIES[entity].props.filter((p) => p.required).map((p) => p.name);
}
const EXPECTED: Record<string, string[]> = {
  Thing: ['name', 'description'],
  Location: ['name', 'description', 'encodingType', 'location'],
  Datastream: ['name', 'description', 'observationType', 'unitOfMeasurement'],
  Sensor: ['name', 'description', 'encodingType', 'metadata'],
  ObservedProperty: ['name', 'definition', 'description'],
};

function assertHas(body: Record<string, unknown>, entity: EntityName, where: string): void {
  for (const p of new Set([...mandatory(entity), ...(EXPECTED[entity] ?? [])])) {
    const v = body[p];
    assert.ok(v !== undefined && v !== null && v !== '', `${where}: ${entity}.${p} missing`);
  }
}

test('deep-insert bodies carry every mandatory SensorThings property', () => {
  for (const s of DEMO_NETWORK) {
    const body = toSensorThingsDeepInsert(s);
    // The body must be plain JSON.
    assert.deepEqual(JSON.parse(JSON.stringify(body)), body);
    assertHas(body, 'Thing', s.key);
    assert.equal((body.properties as Record<string, unknown>).demoKey, s.key);
    const locations = body.Locations as Record<string, unknown>[];
    assert.equal(locations.length, 1);
    const loc = locations[0]!;
    assertHas(loc, 'Location', s.key);
    assert.equal(loc.encodingType, 'application/geo+json');
    assert.deepEqual(loc.location, { type: 'Point', coordinates: [...s.location.geometry.coordinates] });
    const streams = body.Datastreams as Record<string, unknown>[];
    assert.equal(streams.length, s.datastreams.length);
    streams.forEach((ds, i) => {
      const where = s.datastreams[i]!.key;
      assertHas(ds, 'Datastream', where);
      const uom = ds.unitOfMeasurement as Record<string, unknown>;
      for (const k of ['name', 'symbol', 'definition']) assert.ok(uom[k], `${where}: unitOfMeasurement.${k}`);
      const props = ds.properties as Record<string, unknown>;
      assert.equal(props.demoKey, where);
      assert.equal(props.code, s.datastreams[i]!.code);
      assertHas(ds.Sensor as Record<string, unknown>, 'Sensor', where);
      assertHas(ds.ObservedProperty as Record<string, unknown>, 'ObservedProperty', where);
    });
  }
});

test('deep insert links known Sensors and ObservedProperties by id instead of duplicating them', () => {
  const s = DEMO_NETWORK.find((x) => x.kind === 'air_quality')!;
  const body = toSensorThingsDeepInsert(s, {
    sensorId: (key) => (key === s.datastreams[0]!.sensor.key ? 7 : undefined),
    observedPropertyId: (key) => (key === s.datastreams[1]!.observedProperty.key ? 'op-9' : undefined),
  });
  const streams = body.Datastreams as Record<string, unknown>[];
  assert.deepEqual(streams[0]!.Sensor, { '@iot.id': 7 });
  assert.deepEqual(streams[1]!.ObservedProperty, { '@iot.id': 'op-9' });
  assertHas(streams[0]!.ObservedProperty as Record<string, unknown>, 'ObservedProperty', 'unlinked');
});

test('a 30-day back-fill stays within about 400k observations', () => {
  const n = backfillObservationCount(30);
  assert.ok(n > 100_000 && n <= 400_000, `${n} observations`);
});

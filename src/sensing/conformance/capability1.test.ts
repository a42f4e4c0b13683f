// Written from OGC 18-088 and named after ets-sta10's Capability1 tests (read entities).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachBackend } from '../../testing/platform.ts';
import { seedBasic } from './fixtures.ts';

const SETS = ['Things', 'Locations', 'HistoricalLocations', 'Datastreams', 'MultiDatastreams', 'Sensors', 'ObservedProperties', 'Observations', 'FeaturesOfInterest'];

forEachBackend((t) => {
  let ids: Awaited<ReturnType<typeof seedBasic>>;
  before(async () => {
    ids = await seedBasic(t);
  });

  test('checkServiceRootUri: lists every entity set and the conformance classes', async () => {
    const r = await t.api('GET', '/v1.1');
    assert.equal(r.status, 200);
    const body = r.body as { value: { name: string; url: string }[]; serverSettings: { conformance: string[] } };
    assert.deepEqual(body.value.map((v) => v.name).sort(), [...SETS].sort());
    for (const v of body.value) assert.match(v.url, new RegExp(`^http://localhost:80/v1.1/${v.name}$`));
    assert.ok(body.serverSettings.conformance.includes('http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel'));
  });

  test('readEntitiesAndCheckResponse: every collection has value[] with ids, selfLinks and navigation links', async () => {
    for (const set of SETS) {
      const r = await t.api('GET', `/v1.1/${set}`);
      assert.equal(r.status, 200, set);
      const body = r.body as { value: Record<string, unknown>[] };
      assert.ok(Array.isArray(body.value), set);
      assert.ok(body.value.length > 0, `${set} has entities`);
      for (const e of body.value) {
        assert.equal(typeof e['@iot.id'], 'number');
        assert.equal(e['@iot.selfLink'], `http://localhost:80/v1.1/${set}(${e['@iot.id']})`);
      }
    }
    const thing = ((await t.api('GET', `/v1.1/Things(${ids.thing})`)).body as Record<string, string>);
    for (const nav of ['Locations', 'HistoricalLocations', 'Datastreams', 'MultiDatastreams']) {
      assert.equal(thing[`${nav}@iot.navigationLink`], `http://localhost:80/v1.1/Things(${ids.thing})/${nav}`);
    }
  });

  test('readNonexistentEntity: 404 for every set', async () => {
    for (const set of SETS) {
      const r = await t.api('GET', `/v1.1/${set}(999999)`);
      assert.equal(r.status, 404, set);
    }
  });

  test('readEntityAndCheckResponse: properties of each type', async () => {
    const thing = (await t.api('GET', `/v1.1/Things(${ids.thing})`)).body as Record<string, unknown>;
    assert.equal(thing.name, 'Trạm thủy văn Cần Thơ');
    assert.deepEqual(thing.properties, { river: 'Hậu' });
    const ds = (await t.api('GET', `/v1.1/Datastreams(${ids.datastream})`)).body as Record<string, unknown>;
    assert.deepEqual(ds.unitOfMeasurement, { name: 'metre', symbol: 'm', definition: 'http://qudt.org/vocab/unit/M' });
    assert.equal(ds.phenomenonTime, '2025-10-01T00:00:00.000Z/2025-10-01T02:00:00.000Z');
    const loc = (await t.api('GET', `/v1.1/Locations(${ids.location})`)).body as Record<string, unknown>;
    assert.deepEqual(loc.location, { type: 'Point', coordinates: [105.783, 10.033] });
    const obs = (await t.api('GET', `/v1.1/Datastreams(${ids.datastream})/Observations?$orderby=phenomenonTime`)).body as { value: Record<string, unknown>[] };
    assert.equal(obs.value.length, 3);
    assert.equal(obs.value[0]!.result, 1.5);
    assert.equal(obs.value[0]!.phenomenonTime, '2025-10-01T00:00:00.000Z');
  });

  test('readPropertyOfEntityAndCheckResponse: property and $value', async () => {
    const r = await t.api('GET', `/v1.1/Things(${ids.thing})/name`);
    assert.deepEqual(r.body, { name: 'Trạm thủy văn Cần Thơ' });
    const v = await t.api('GET', `/v1.1/Things(${ids.thing})/name/$value`);
    assert.equal(v.text, 'Trạm thủy văn Cần Thơ');
    const p = await t.api('GET', `/v1.1/Things(${ids.thing})/properties`);
    assert.deepEqual(p.body, { properties: { river: 'Hậu' } });
  });

  test('checkResourcePaths: navigation, deep paths and $ref', async () => {
    const dss = (await t.api('GET', `/v1.1/Things(${ids.thing})/Datastreams`)).body as { value: { '@iot.id': number }[] };
    assert.deepEqual(dss.value.map((d) => d['@iot.id']), [ids.datastream]);
    const thing = (await t.api('GET', `/v1.1/Datastreams(${ids.datastream})/Thing`)).body as { '@iot.id': number };
    assert.equal(thing['@iot.id'], ids.thing);
    const deep = (await t.api('GET', `/v1.1/Things(${ids.thing})/Datastreams(${ids.datastream})/Observations`)).body as { value: unknown[] };
    assert.equal(deep.value.length, 3);
    const sensorName = (await t.api('GET', `/v1.1/Datastreams(${ids.datastream})/Sensor/name`)).body;
    assert.deepEqual(sensorName, { name: 'Cảm biến mực nước radar' });
    const refs = (await t.api('GET', `/v1.1/Things(${ids.thing})/Locations/$ref`)).body as { value: { '@iot.selfLink': string }[] };
    assert.deepEqual(refs.value, [{ '@iot.selfLink': `http://localhost:80/v1.1/Locations(${ids.location})` }]);
    assert.equal((await t.api('GET', `/v1.1/Things(${ids.thing})/Datastreams(999999)`)).status, 404);
    const hl = (await t.api('GET', `/v1.1/Things(${ids.thing})/HistoricalLocations?$expand=Locations`)).body as { value: { Locations: unknown[] }[] };
    assert.equal(hl.value.length, 1);
    assert.equal(hl.value[0]!.Locations.length, 1);
    const foi = (await t.api('GET', `/v1.1/Observations?$top=1&$expand=FeatureOfInterest`)).body as { value: { FeatureOfInterest: { feature: unknown } }[] };
    assert.deepEqual(foi.value[0]!.FeatureOfInterest.feature, { type: 'Point', coordinates: [105.783, 10.033] });
  });
});

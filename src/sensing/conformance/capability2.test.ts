// Written from OGC 18-088 §10 and named after ets-sta10's Capability2 tests (create, update, delete).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachBackend } from '../../testing/platform.ts';
import { seedBasic } from './fixtures.ts';

type E = Record<string, unknown> & { '@iot.id': number };

forEachBackend((t) => {
  let ids: Awaited<ReturnType<typeof seedBasic>>;
  before(async () => {
    ids = await seedBasic(t);
  });

  test('createEntities: each type, 201 with Location header and the entity', async () => {
    const s = await t.api('POST', '/v1.1/Sensors', { name: 'PM sensor', description: 'optical', encodingType: 'application/pdf', metadata: 'http://example.org/pm.pdf' });
    assert.equal(s.status, 201);
    const sid = (s.body as E)['@iot.id'];
    assert.equal(s.headers.location, `http://localhost:80/v1.1/Sensors(${sid})`);
    const op = await t.api('POST', '/v1.1/ObservedProperties', { name: 'PM2.5', definition: 'http://example.org/pm25', description: 'bụi mịn' });
    assert.equal(op.status, 201);
    const ds = await t.api('POST', `/v1.1/Things(${ids.thing})/Datastreams`, {
      name: 'PM2.5', description: 'bụi mịn', observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement',
      unitOfMeasurement: { name: 'microgram per cubic metre', symbol: 'µg/m³', definition: 'http://qudt.org/vocab/unit/MicroGM-PER-M3' },
      Sensor: { '@iot.id': sid }, ObservedProperty: { '@iot.id': (op.body as E)['@iot.id'] },
    });
    assert.equal(ds.status, 201, JSON.stringify(ds.body));
    const dsId = (ds.body as E)['@iot.id'];
    assert.equal(((await t.api('GET', `/v1.1/Datastreams(${dsId})/Thing`)).body as E)['@iot.id'], ids.thing);
    const o = await t.api('POST', `/v1.1/Datastreams(${dsId})/Observations`, { phenomenonTime: '2025-10-01T07:30:00+07:00', result: 42.5 });
    assert.equal(o.status, 201);
    const obs = o.body as E;
    assert.equal(obs.phenomenonTime, '2025-10-01T00:30:00.000Z');
    // automatic FeatureOfInterest from the Thing's Location (§10.2.2.1)
    const foi = (await t.api('GET', `/v1.1/Observations(${obs['@iot.id']})/FeatureOfInterest`)).body as E;
    assert.deepEqual(foi.feature, { type: 'Point', coordinates: [105.783, 10.033] });
    // default phenomenonTime is the server's time
    const now = Date.now();
    const o2 = (await t.api('POST', '/v1.1/Observations', { result: 7, Datastream: { '@iot.id': dsId } })).body as E;
    assert.ok(Math.abs(Date.parse(o2.phenomenonTime as string) - now) < 60_000);
    assert.equal(o2.result, 7);
  });

  test('createEntitiesWithDeepInsert: Thing with Location and Datastream creates a HistoricalLocation', async () => {
    const r = await t.api('POST', '/v1.1/Things', {
      name: 'Ao nuôi Thốt Nốt', description: 'ao cá tra',
      Locations: [{ name: 'Ao 1', description: 'ao', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.547, 10.242] } }],
    });
    assert.equal(r.status, 201);
    const id = (r.body as E)['@iot.id'];
    const hl = (await t.api('GET', `/v1.1/Things(${id})/HistoricalLocations`)).body as { value: E[] };
    assert.equal(hl.value.length, 1);
    // A new Location posted for the Thing becomes current and adds history
    const l2 = await t.api('POST', `/v1.1/Things(${id})/Locations`, { name: 'Ao 2', description: 'ao', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.548, 10.243] } });
    assert.equal(l2.status, 201);
    const locs = (await t.api('GET', `/v1.1/Things(${id})/Locations`)).body as { value: E[] };
    assert.deepEqual(locs.value.map((l) => l.name), ['Ao 2']);
    assert.equal(((await t.api('GET', `/v1.1/Things(${id})/HistoricalLocations`)).body as { value: E[] }).value.length, 2);
  });

  test('checkInvalidDeepInsert / invalid create: 400 with a code, nothing written', async () => {
    const before = ((await t.api('GET', '/v1.1/Things?$count=true&$top=0')).body as { '@iot.count': number })['@iot.count'];
    const bad = await t.api('POST', '/v1.1/Things', { name: 'x', description: 'y', Datastreams: [{ name: 'd', description: 'missing everything' }] });
    assert.equal(bad.status, 400);
    assert.equal((bad.body as { code: string }).code, 'MISSING_PROPERTY');
    const after = ((await t.api('GET', '/v1.1/Things?$count=true&$top=0')).body as { '@iot.count': number })['@iot.count'];
    assert.equal(after, before, 'the deep insert rolled back');
    const cases: [string, unknown, string][] = [
      ['/v1.1/Things', { description: 'no name' }, 'MISSING_PROPERTY'],
      ['/v1.1/Things', { name: 5, description: 'x' }, 'WRONG_TYPE'],
      ['/v1.1/Things', { name: 'a', description: 'b', bogus: 1 }, 'UNKNOWN_PROPERTY'],
      ['/v1.1/Things', [1, 2], 'INVALID_ENTITY'],
      ['/v1.1/Locations', { name: 'a', description: 'b', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: ['x'] } }, 'INVALID_GEOMETRY'],
      ['/v1.1/Observations', { result: 1, phenomenonTime: 'yesterday', Datastream: { '@iot.id': ids.datastream } }, 'INVALID_TIME'],
      ['/v1.1/Observations', { result: 1, Datastream: { '@iot.id': 999999 } }, 'INVALID_ENTITY'],
      ['/v1.1/Observations', { phenomenonTime: '2025-01-01T00:00:00Z', Datastream: { '@iot.id': ids.datastream } }, 'MISSING_PROPERTY'],
      // An OM_Measurement takes numbers only (§8.2.4 Table 12).
      ['/v1.1/Observations', { result: '21.1', Datastream: { '@iot.id': ids.datastream } }, 'WRONG_TYPE'],
      ['/v1.1/Things(1)', { name: 'a', description: 'b' }, 'METHOD_NOT_ALLOWED'],
    ];
    for (const [url, body, code] of cases) {
      const r = await t.api('POST', url, body);
      assert.equal((r.body as { code: string }).code, code, `${url} ${JSON.stringify(body)} → ${r.status} ${r.text}`);
      assert.ok(r.status >= 400 && r.status < 500);
    }
    const malformed = await t.api('POST', '/v1.1/Things', '{"name": ');
    assert.equal(malformed.status, 400);
    assert.equal((malformed.body as { code: string }).code, 'INVALID_JSON');
  });

  test('updateEntities: PATCH, PUT and JSON-Patch', async () => {
    const r = await t.api('PATCH', `/v1.1/Things(${ids.thing})`, { description: 'đã cập nhật' });
    assert.equal(r.status, 200);
    const thing = (await t.api('GET', `/v1.1/Things(${ids.thing})`)).body as E;
    assert.equal(thing.description, 'đã cập nhật');
    assert.equal(thing.name, 'Trạm thủy văn Cần Thơ');
    const jp = await t.api('PATCH', `/v1.1/Things(${ids.thing})`, [{ op: 'add', path: '/properties/basin', value: 'Mekong' }], { headers: { 'content-type': 'application/json-patch+json' } });
    assert.equal(jp.status, 200, jp.text);
    assert.deepEqual(((await t.api('GET', `/v1.1/Things(${ids.thing})`)).body as E).properties, { river: 'Hậu', basin: 'Mekong' });
    const sensor = (await t.api('POST', '/v1.1/Sensors', { name: 's', description: 'd', encodingType: 'application/pdf', metadata: 'm', properties: { a: 1 } })).body as E;
    const put = await t.api('PUT', `/v1.1/Sensors(${sensor['@iot.id']})`, { name: 's2', description: 'd2', encodingType: 'application/pdf', metadata: 'm2' });
    assert.equal(put.status, 200);
    const after = (await t.api('GET', `/v1.1/Sensors(${sensor['@iot.id']})`)).body as E;
    assert.equal(after.name, 's2');
    assert.equal(after.properties, undefined, 'PUT replaces: absent optional properties are cleared');
  });

  test('checkInvalidPatch: read-only and wrong types are 400; unknown entity 404', async () => {
    assert.equal((await t.api('PATCH', `/v1.1/Things(${ids.thing})`, { name: 7 })).status, 400);
    assert.equal((await t.api('PATCH', `/v1.1/Datastreams(${ids.datastream})`, { phenomenonTime: '2025-01-01T00:00:00Z' })).status, 400);
    assert.equal((await t.api('PATCH', '/v1.1/Things(999999)', { name: 'x' })).status, 404);
    assert.equal((await t.api('PATCH', '/v1.1/Things', { name: 'x' })).status, 405);
  });

  test('deleteEntities with cascades, deleteNonexistentEntities 404', async () => {
    const r = await t.api('POST', '/v1.1/Things', {
      name: 'tmp', description: 'tmp',
      Locations: [{ name: 'L', description: 'L', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.7, 10.0] } }],
      Datastreams: [{
        name: 'd', description: 'd', observationType: 'x', unitOfMeasurement: { name: 'm', symbol: 'm', definition: 'd' },
        Sensor: { name: 's', description: 's', encodingType: 'application/pdf', metadata: 'm' },
        ObservedProperty: { name: 'p', definition: 'p', description: 'p' },
        Observations: [{ phenomenonTime: '2025-01-01T00:00:00Z', result: 1 }],
      }],
    });
    const id = (r.body as E)['@iot.id'];
    const ds = ((await t.api('GET', `/v1.1/Things(${id})/Datastreams`)).body as { value: E[] }).value[0]!['@iot.id'];
    const obs = ((await t.api('GET', `/v1.1/Datastreams(${ds})/Observations`)).body as { value: E[] }).value[0]!['@iot.id'];
    assert.equal((await t.api('DELETE', `/v1.1/Things(${id})`)).status, 200);
    assert.equal((await t.api('GET', `/v1.1/Things(${id})`)).status, 404);
    assert.equal((await t.api('GET', `/v1.1/Datastreams(${ds})`)).status, 404);
    assert.equal((await t.api('GET', `/v1.1/Observations(${obs})`)).status, 404);
    assert.equal((await t.api('DELETE', `/v1.1/Things(${id})`)).status, 404);
    assert.equal((await t.api('DELETE', '/v1.1/Observations(999999)')).status, 404);
  });

  test('writes need a key with a role that allows them', async () => {
    assert.equal((await t.api('POST', '/v1.1/Things', { name: 'a', description: 'b' }, { key: null })).status, 401);
    assert.equal((await t.api('POST', '/v1.1/Things', { name: 'a', description: 'b' }, { key: 'not-a-real-key-but-long-enough' })).status, 401);
    const uid = await t.p.keys.ensureUser('viewer1', 'viewer');
    const viewer = await t.p.keys.createKey(uid, { label: 't', role: 'viewer' });
    assert.equal((await t.api('POST', '/v1.1/Things', { name: 'a', description: 'b' }, { key: viewer.secret })).status, 403);
    const dev = await t.p.keys.createKey(uid, { label: 'd', role: 'device', thingScope: [ids.thing] });
    assert.equal((await t.api('POST', `/v1.1/Datastreams(${ids.datastream})/Observations`, { result: 1.1 }, { key: dev.secret })).status, 201);
    assert.equal((await t.api('POST', '/v1.1/Things', { name: 'a', description: 'b' }, { key: dev.secret })).status, 403);
    const other = await t.p.keys.createKey(uid, { label: 'd2', role: 'device', thingScope: [999] });
    assert.equal((await t.api('POST', `/v1.1/Datastreams(${ids.datastream})/Observations`, { result: 1.1 }, { key: other.secret })).status, 403);
  });

  test('private Things are invisible without a key', async () => {
    const r = await t.api('POST', '/v1.1/Things', { name: 'secret', description: 's', properties: { 'cantho:visibility': 'private' } });
    const id = (r.body as E)['@iot.id'];
    assert.equal((await t.api('GET', `/v1.1/Things(${id})`, undefined, { key: null })).status, 404);
    assert.equal((await t.api('GET', `/v1.1/Things(${id})`)).status, 200);
    const list = (await t.api('GET', '/v1.1/Things', undefined, { key: null })).body as { value: E[] };
    assert.ok(!list.value.some((x) => x['@iot.id'] === id));
  });
});

// Written from OData JSON Format 4.01 §19 (JSON batch) as SensorThings servers offer it beside
// OGC 18-088 §11; the first case is the JSON form of the §11.2.1 example.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachBackend, type TestPlatform } from '../../testing/platform.ts';
import { seedBasic } from '../conformance/fixtures.ts';

type E = Record<string, unknown> & { '@iot.id': number };
interface Res {
  id: string;
  status: number;
  atomicityGroup?: string;
  headers?: Record<string, string>;
  body?: E & { code?: string };
}

async function jsonBatch(t: TestPlatform, requests: unknown[]): Promise<Res[]> {
  const r = await t.api('POST', '/v1.1/$batch', { requests });
  assert.equal(r.status, 200, r.text);
  assert.match(String(r.headers['content-type']), /^application\/json/);
  const res = (r.body as { responses: Res[] }).responses;
  assert.deepEqual(res.map((x) => x.id), requests.map((x) => (x as { id: string }).id));
  return res;
}

forEachBackend((t) => {
  let ids: Awaited<ReturnType<typeof seedBasic>>;
  before(async () => {
    ids = await seedBasic(t);
  });

  test('query, atomicity group with POST + PATCH, $id reference after the group, missing entity', async () => {
    const res = await jsonBatch(t, [
      { id: '0', method: 'get', url: `Things(${ids.thing})?$select=name` },
      { id: '1', atomicityGroup: 'group1', method: 'post', url: 'Things', body: { name: 'New', description: 'Thing' } },
      { id: '2', atomicityGroup: 'group1', method: 'patch', url: `Things(${ids.thing})`, body: { name: 'Json Patched' } },
      { id: '3', dependsOn: ['group1'], method: 'get', url: '$1' },
      { id: '4', method: 'GET', url: 'Things(999999)' },
    ]);
    assert.deepEqual(res.map((r) => r.status), [200, 201, 200, 200, 404]);
    assert.equal(res[0]!.body!.name, 'Trạm thủy văn Cần Thơ');
    assert.equal(res[1]!.atomicityGroup, 'group1');
    assert.match(res[1]!.headers!.location!, /^http:\/\/localhost:80\/v1\.1\/Things\(\d+\)$/);
    assert.equal(res[2]!.body!.name, 'Json Patched');
    assert.equal(res[3]!.body!['@iot.selfLink'], res[1]!.headers!.location);
    assert.equal(res[4]!.body!.code, 'NOT_FOUND');
  });

  test('§11.2.2 in JSON: {"@iot.id": "$sensor1"} links the Sensor created earlier in the group', async () => {
    const res = await jsonBatch(t, [
      { id: 'sensor1', atomicityGroup: 'g', method: 'post', url: 'Sensors', body: { name: 'DS18B20', description: 'air temperature', encodingType: 'application/pdf', metadata: 'http://datasheets.maxim-ic.com/en/ds/DS18B20.pdf' } },
      {
        id: 'any', atomicityGroup: 'g', method: 'post', url: `Things(${ids.thing})/Datastreams`,
        body: {
          name: 'Temperature', description: 'water temperature', observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement',
          unitOfMeasurement: { name: 'degree Celsius', symbol: '°C', definition: 'http://qudt.org/vocab/unit/DEG_C' },
          ObservedProperty: { name: 'Temperature', definition: 'http://example.org/t', description: 't' }, Sensor: { '@iot.id': '$sensor1' },
        },
      },
    ]);
    assert.deepEqual(res.map((r) => r.status), [201, 201]);
    const sensor = (await t.api('GET', `/v1.1/Datastreams(${res[1]!.body!['@iot.id']})/Sensor`)).body as E;
    assert.equal(sensor['@iot.id'], res[0]!.body!['@iot.id']);
  });

  test('a failing atomicity group rolls back; its other requests and its dependants are 424', async () => {
    const names = async () => ((await t.api('GET', '/v1.1/Things?$top=1000')).body as { value: E[] }).value.map((v) => v.name);
    const res = await jsonBatch(t, [
      { id: 'a', atomicityGroup: 'g2', method: 'post', url: 'Things', body: { name: 'json-rollback', description: 'x' } },
      { id: 'b', atomicityGroup: 'g2', method: 'post', url: '$a/Datastreams', body: { name: 'incomplete', description: 'x' } },
      { id: 'c', atomicityGroup: 'g2', method: 'delete', url: `Things(${ids.thing})` },
      { id: 'd', dependsOn: ['g2'], method: 'get', url: 'Things' },
      { id: 'e', dependsOn: ['b'], method: 'post', url: 'Things', body: { name: 'never', description: 'x' } },
      { id: 'f', method: 'post', url: 'Things', body: { name: 'json-survivor', description: 'x' } },
      { id: 'g', method: 'get', url: '$a' },
    ]);
    assert.deepEqual(res.map((r) => r.status), [424, 400, 424, 424, 424, 201, 400]);
    assert.equal(res[1]!.body!.code, 'MISSING_PROPERTY');
    assert.equal(res[0]!.body!.code, 'FAILED_DEPENDENCY');
    const all = await names();
    assert.ok(all.includes('json-survivor'));
    assert.ok(!all.includes('json-rollback') && !all.includes('never'));
    assert.equal((await t.api('GET', `/v1.1/Things(${ids.thing})`)).status, 200);
  });

  test('an anonymous JSON batch reads public data but cannot write', async () => {
    const r = await t.api('POST', '/v1.1/$batch', { requests: [
      { id: '1', method: 'get', url: `Things(${ids.thing})` },
      { id: '2', method: 'post', url: 'Things', body: { name: 'anon', description: 'x' } },
    ] }, { key: null });
    assert.deepEqual((r.body as { responses: Res[] }).responses.map((x) => x.status), [200, 401]);
  });
});

// Written from OGC 18-088 §11 (batch requests) and OData 4.0 Part 1 §11.7; cases after the intent of
// ets-sta / FROST-Server's BatchTests (spec examples 11.2.1 and 11.2.2).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachBackend, type TestPlatform } from '../../testing/platform.ts';
import { seedBasic } from '../conformance/fixtures.ts';
import { changeset, httpPart, multipart, readBatchResponse } from './batch-fixtures.ts';

type E = Record<string, unknown> & { '@iot.id': number };
const B = 'batch_36522ad7-fc75-4b56-8c71-56071383e77b';
const CS = 'changeset_77162fcd-b8da-41ac-a9f8-9357efbbd';
const ROOT = 'http://localhost:80/v1.1';

async function batch(t: TestPlatform, body: string, key?: string | null) {
  const r = await t.api('POST', '/v1.1/$batch', body, { key, headers: { 'content-type': `multipart/mixed; boundary=${B}` } });
  assert.equal(r.status, 200, r.text);
  return readBatchResponse(r.headers['content-type'], r.text);
}

async function thingNames(t: TestPlatform): Promise<string[]> {
  return ((await t.api('GET', '/v1.1/Things?$top=1000')).body as { value: E[] }).value.map((v) => v.name as string);
}

const idOf = (location: string | undefined) => Number(/\((\d+)\)$/.exec(location ?? '')?.[1]);

forEachBackend((t) => {
  let ids: Awaited<ReturnType<typeof seedBasic>>;
  let other: Awaited<ReturnType<typeof seedBasic>>;
  before(async () => {
    ids = await seedBasic(t);
    other = await seedBasic(t);
  });

  test('§11.2.1 example: GET, change set with POST + PATCH, GET of a missing entity', async () => {
    const body = [
      `--${B}`, 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', '',
      `GET /v1.1/Things(${ids.thing})?$select=name HTTP/1.1`, 'Host: localhost', '', '',
      `--${B}`, `Content-Type: multipart/mixed;boundary=${CS}`, '',
      `--${CS}`, 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', 'Content-ID: 1', '',
      'POST /v1.1/Things HTTP/1.1', 'Host: localhost', 'Content-Type: application/json', 'Content-Length: 36', '',
      '{"name":"New","description":"Thing"}',
      `--${CS}`, 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', 'Content-ID: 2', '',
      `PATCH /v1.1/Things(${ids.thing}) HTTP/1.1`, 'Host: localhost', 'Content-Type: application/json', '',
      '{"name":"Patched"}',
      `--${CS}--`,
      `--${B}`, 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', '',
      'GET /v1.1/Things(999999) HTTP/1.1', 'Host: localhost', '', '',
      `--${B}--`, '',
    ].join('\r\n');
    const parts = await batch(t, body);
    assert.equal(parts.length, 3);
    assert.equal(parts[0]!.status, 200);
    assert.equal((parts[0]!.body as E).name, 'Trạm thủy văn Cần Thơ');
    const cs = parts[1]!.changeset!;
    assert.deepEqual(cs.map((p) => [p.contentId, p.status]), [['1', 201], ['2', 200]]);
    const location = cs[0]!.headers.get('location');
    assert.match(location ?? '', /^http:\/\/localhost:80\/v1\.1\/Things\(\d+\)$/);
    assert.equal((cs[0]!.body as E)['@iot.selfLink'], location);
    assert.equal((cs[1]!.body as E).name, 'Patched');
    assert.equal(parts[2]!.status, 404);
    assert.equal((parts[2]!.body as { code: string }).code, 'NOT_FOUND');
    assert.equal(((await t.api('GET', `/v1.1/Things(${idOf(location)})`)).body as E).name, 'New');
    assert.equal(((await t.api('GET', `/v1.1/Things(${ids.thing})`)).body as E).name, 'Patched');
  });

  test('§11.2.2 Content-ID references: $id in URLs and {"@iot.id": "$id"} in bodies', async () => {
    const parts = await batch(t, multipart(B, [changeset(CS, [
      httpPart('POST Sensors HTTP/1.1', { id: 'sensor1', body: { name: 'DS18B20', description: 'air temperature', encodingType: 'application/pdf', metadata: 'http://datasheets.maxim-ic.com/en/ds/DS18B20.pdf' } }),
      httpPart(`POST ${ROOT}/Things HTTP/1.1`, { id: 'thing', body: { name: 'Cống Cái Sơn', description: 'cống ngăn mặn' } }),
      httpPart('POST $thing/Datastreams HTTP/1.1', { id: 'ds', body: {
        name: 'Nhiệt độ', description: 'nhiệt độ nước', observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement',
        unitOfMeasurement: { name: 'degree Celsius', symbol: '°C', definition: 'http://qudt.org/vocab/unit/DEG_C' },
        Sensor: { '@iot.id': '$sensor1' }, ObservedProperty: { name: 'Nhiệt độ', definition: 'http://example.org/temp', description: 'nhiệt độ' },
      } }),
      httpPart('POST $ds/Observations HTTP/1.1', { id: 'obs', body: { phenomenonTime: '2025-10-01T00:00:00Z', result: 28.5, FeatureOfInterest: { name: 'Cống', description: 'cống', encodingType: 'application/geo+json', feature: { type: 'Point', coordinates: [105.9, 9.9] } } } }),
      httpPart('PATCH $thing HTTP/1.1', { id: 'patch', body: { description: 'cống ngăn mặn Cái Sơn' } }),
    ])]));
    const cs = parts[0]!.changeset!;
    assert.deepEqual(cs.map((p) => p.status), [201, 201, 201, 201, 200], JSON.stringify(cs.map((p) => p.body)));
    const [sensor, thing, ds] = cs.map((p) => idOf(p.headers.get('location')));
    assert.equal(((await t.api('GET', `/v1.1/Datastreams(${ds})/Thing`)).body as E)['@iot.id'], thing);
    assert.equal(((await t.api('GET', `/v1.1/Datastreams(${ds})/Sensor`)).body as E)['@iot.id'], sensor);
    assert.equal(((await t.api('GET', `/v1.1/Datastreams(${ds})/Observations?$count=true`)).body as { '@iot.count': number })['@iot.count'], 1);
    assert.equal(((await t.api('GET', `/v1.1/Things(${thing})`)).body as E).description, 'cống ngăn mặn Cái Sơn');
  });

  test('a failing change set rolls back all of its writes and is answered once; other parts still run', async () => {
    const count = async () => ((await t.api('GET', '/v1.1/Things?$count=true&$top=0')).body as { '@iot.count': number })['@iot.count'];
    const before = await count();
    const obsBefore = ((await t.api('GET', `/v1.1/Datastreams(${ids.datastream})/Observations?$count=true&$top=0`)).body as { '@iot.count': number })['@iot.count'];
    const parts = await batch(t, multipart(B, [
      changeset(`${CS}_a`, [
        httpPart('POST Things HTTP/1.1', { id: 'a1', body: { name: 'rollback-1', description: 'x' } }),
        httpPart(`PATCH Things(${other.thing}) HTTP/1.1`, { id: 'a2', body: { name: 'must not stick' } }),
        httpPart(`POST Datastreams(${ids.datastream})/Observations HTTP/1.1`, { id: 'a3', body: { result: 99 } }),
        httpPart(`DELETE Things(${other.thing}) HTTP/1.1`, { id: 'a4' }),
        httpPart('POST $a1/Datastreams HTTP/1.1', { id: 'a5', body: { name: 'incomplete', description: 'no unit, sensor, property' } }),
      ]),
      httpPart('POST Things HTTP/1.1', { body: { name: 'survivor', description: 'x' } }),
      changeset(`${CS}_b`, [httpPart('POST Things HTTP/1.1', { id: 'b1', body: { name: 'committed', description: 'x' } })]),
      httpPart('POST Things HTTP/1.1', { body: '{"name": "broken json' }),
    ]));
    assert.equal(parts.length, 4);
    assert.equal(parts[0]!.changeset, undefined, 'a failed change set has a single response');
    assert.equal(parts[0]!.status, 400);
    assert.equal(parts[0]!.contentId, 'a5');
    assert.equal((parts[0]!.body as { code: string }).code, 'MISSING_PROPERTY');
    assert.equal(parts[1]!.status, 201);
    assert.deepEqual(parts[2]!.changeset!.map((p) => [p.contentId, p.status]), [['b1', 201]]);
    assert.equal(parts[3]!.status, 400);
    assert.equal((parts[3]!.body as { code: string }).code, 'INVALID_JSON');
    assert.equal(await count(), before + 2);
    const names = await thingNames(t);
    assert.ok(names.includes('survivor') && names.includes('committed'));
    assert.ok(!names.includes('rollback-1') && !names.includes('must not stick'));
    assert.equal((await t.api('GET', `/v1.1/Things(${other.thing})`)).status, 200, 'the DELETE was undone');
    const obsAfter = ((await t.api('GET', `/v1.1/Datastreams(${ids.datastream})/Observations?$count=true&$top=0`)).body as { '@iot.count': number })['@iot.count'];
    assert.equal(obsAfter, obsBefore, 'the Observation and its stream counter were undone');
    // The write lock was released: ordinary writes go on.
    assert.equal((await t.api('POST', '/v1.1/Things', { name: 'after', description: 'x' })).status, 201);
  });

  test('each request runs with the caller\'s key: anonymous writes 401, device keys only into their Things', async () => {
    const anon = await batch(t, multipart(B, [
      httpPart(`GET Things(${ids.thing}) HTTP/1.1`),
      changeset(CS, [httpPart('POST Things HTTP/1.1', { id: '1', body: { name: 'anon', description: 'x' } })]),
      httpPart(`DELETE Things(${ids.thing}) HTTP/1.1`),
    ]), null);
    assert.deepEqual(anon.map((p) => p.status), [200, 401, 401]);
    const uid = await t.p.keys.ensureUser('batch-device', 'device');
    const { secret } = await t.p.keys.createKey(uid, { label: 'dev', role: 'device', thingScope: [ids.thing] });
    const dev = await batch(t, multipart(B, [
      changeset(`${CS}_1`, [
        httpPart(`POST Datastreams(${ids.datastream})/Observations HTTP/1.1`, { id: 'own', body: { result: 1 } }),
        httpPart('POST Observations HTTP/1.1', { id: 'foreign', body: { result: 2, Datastream: { '@iot.id': other.datastream } } }),
      ]),
      changeset(`${CS}_2`, [httpPart(`POST Datastreams(${ids.datastream})/Observations HTTP/1.1`, { id: 'ok', body: { phenomenonTime: '2030-01-01T00:00:00Z', result: 7 } })]),
    ]), secret);
    assert.equal(dev[0]!.status, 403);
    assert.equal(dev[0]!.contentId, 'foreign');
    assert.equal(dev[1]!.changeset![0]!.status, 201);
    const own = ((await t.api('GET', `/v1.1/Datastreams(${ids.datastream})/Observations?$top=1000`)).body as { value: E[] }).value.map((o) => o.result);
    assert.ok(own.includes(7) && !own.includes(1));
  });

  test('URLs: relative, absolute path and absolute URL; paths outside the service root are 400', async () => {
    const parts = await batch(t, multipart(B, [
      httpPart(`GET Things(${ids.thing}) HTTP/1.1`),
      httpPart(`GET /v1.1/Things(${ids.thing})/Locations HTTP/1.1`),
      httpPart(`GET ${ROOT}/Things(${ids.thing})/name/$value`),
      httpPart('GET /v2/Things HTTP/1.1'),
      httpPart('GET $nothing/Datastreams HTTP/1.1'),
    ]));
    assert.deepEqual(parts.map((p) => p.status), [200, 200, 200, 400, 400]);
    assert.equal(parts[2]!.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(parts[2]!.body, 'Patched');
    assert.equal((parts[3]!.body as { code: string }).code, 'INVALID_PATH');
  });

  test('change listeners hear of a change set only once it has committed', async () => {
    const heard: string[] = [];
    t.p.sensing.onChange((entity, id, kind) => heard.push(`${kind} ${entity}(${id})`));
    const parts = await batch(t, multipart(B, [
      changeset(`${CS}_x`, [
        httpPart('POST Things HTTP/1.1', { id: 'x1', body: { name: 'heard-never', description: 'x' } }),
        httpPart('POST Things HTTP/1.1', { id: 'x2', body: { name: 5 } }),
      ]),
      changeset(`${CS}_y`, [
        httpPart('POST Things HTTP/1.1', { id: 'y1', body: { name: 'heard', description: 'x' } }),
        httpPart('PATCH $y1 HTTP/1.1', { id: 'y2', body: { description: 'y' } }),
      ]),
    ]));
    assert.equal(parts[0]!.status, 400);
    const id = idOf(parts[1]!.changeset![0]!.headers.get('location'));
    assert.deepEqual(heard, [`create Thing(${id})`, `update Thing(${id})`]);
  });

  test('LF line endings, preamble and epilogue are accepted', async () => {
    const body = `preamble\n--${B}\nContent-Type: application/http\n\nGET Things(${ids.thing}) HTTP/1.1\n\n\n--${B}--\nepilogue`;
    const parts = await batch(t, body);
    assert.deepEqual(parts.map((p) => p.status), [200]);
  });
});

// Written from OGC 18-088 §9.3 and named after ets-sta10's Capability3 tests (query options).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachBackend } from '../../testing/platform.ts';

type E = Record<string, unknown> & { '@iot.id': number };
type Coll = { value: E[]; '@iot.count'?: number; '@iot.nextLink'?: string };

forEachBackend((t) => {
  let ds = 0;
  const ids: number[] = [];
  before(async () => {
    for (let i = 0; i < 3; i++) {
      const r = await t.api('POST', '/v1.1/Things', {
        name: `Trạm ${i}`, description: `trạm số ${i}`, properties: { rank: i, district: i % 2 ? 'Ninh Kiều' : 'Cái Răng' },
        Locations: [{ name: `L${i}`, description: 'l', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.7 + i / 100, 10 + i / 100] } }],
        Datastreams: [{
          name: `DS${i}`, description: 'd', observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement',
          unitOfMeasurement: { name: 'm', symbol: 'm', definition: 'http://qudt.org/vocab/unit/M' },
          Sensor: { name: `S${i}`, description: 's', encodingType: 'application/pdf', metadata: 'm' },
          ObservedProperty: { name: `OP${i}`, definition: 'http://example.org/op', description: 'o' },
        }],
      });
      ids.push((r.body as E)['@iot.id']);
    }
    ds = ((await t.api('GET', `/v1.1/Things(${ids[0]})/Datastreams`)).body as Coll).value[0]!['@iot.id'];
    const rows = Array.from({ length: 12 }, (_, i) => [new Date(Date.UTC(2025, 9, 1, i)).toISOString(), i % 4]);
    await t.api('POST', '/v1.1/CreateObservations', [{ Datastream: { '@iot.id': ds }, components: ['phenomenonTime', 'result'], dataArray: rows }]);
  });

  const get = async (url: string) => {
    const r = await t.api('GET', url);
    assert.equal(r.status, 200, `${url}: ${r.text}`);
    return r.body as Coll;
  };

  test('checkSelectQueryOption: only the selected properties', async () => {
    const r = await get('/v1.1/Things?$select=name,description');
    for (const e of r.value) assert.deepEqual(Object.keys(e).sort(), ['description', 'name']);
    const nav = await get('/v1.1/Things?$select=id,Datastreams');
    assert.ok(nav.value[0]!['Datastreams@iot.navigationLink']);
    assert.equal((await t.api('GET', '/v1.1/Things?$select=bogus')).status, 400);
  });

  test('$select of parts of a JSON property (an extension, as in FROST-Server): properties/district', async () => {
    const one = (q: string) => get(`/v1.1/Things(${ids[1]})?${q}`) as unknown as Promise<Record<string, unknown>>;
    assert.deepEqual((await get(`/v1.1/Things?$filter=id eq ${ids[1]}&$select=id,properties/district`)).value, [{ '@iot.id': ids[1], properties: { district: 'Ninh Kiều' } }]);
    assert.deepEqual(await one('$select=properties/rank,properties/none/deeper'), { properties: { rank: 1 } }, 'a part the value does not have is left out');
    assert.deepEqual(await one('$select=properties/rank,properties'), { properties: { rank: 1, district: 'Ninh Kiều' } }, 'the whole property covers its parts');
    const expanded = await one('$select=id&$expand=Datastreams($select=unitOfMeasurement/symbol)');
    assert.deepEqual(expanded.Datastreams, [{ unitOfMeasurement: { symbol: 'm' } }]);
    assert.deepEqual(await one('$select=properties/__proto__/polluted'), { properties: {} });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    for (const bad of ['name/part', 'Datastreams/name', 'properties//rank', 'properties/']) {
      const r = await t.api('GET', `/v1.1/Things?$select=${encodeURIComponent(bad)}`);
      assert.equal(r.status, 400, `${bad}: ${r.text}`);
      assert.equal((r.body as { code: string }).code, 'INVALID_SELECT');
    }
  });

  test('checkExpandQueryOption: nested expand with its own options', async () => {
    const r = await get(`/v1.1/Things(${ids[0]})?$expand=Datastreams($select=name;$expand=Observations($orderby=phenomenonTime desc;$top=2;$count=true)),Locations`);
    const thing = r as unknown as E & { Datastreams: (E & { Observations: E[]; 'Observations@iot.count': number })[]; Locations: E[] };
    assert.equal(thing.Locations.length, 1);
    assert.equal(thing.Datastreams[0]!.name, 'DS0');
    assert.equal(thing.Datastreams[0]!.Observations.length, 2);
    assert.equal(thing.Datastreams[0]!['Observations@iot.count'], 12);
    assert.equal(thing.Datastreams[0]!.Observations[0]!.phenomenonTime, '2025-10-01T11:00:00.000Z');
    const path = await get(`/v1.1/Datastreams(${ds})?$expand=Thing/Locations`);
    assert.equal(((path as unknown as { Thing: { Locations: E[] } }).Thing.Locations).length, 1);
    assert.equal((await t.api('GET', '/v1.1/Things?$expand=Bogus')).status, 400);
  });

  test('checkTopQueryOption and server-driven paging', async () => {
    const r = await get(`/v1.1/Datastreams(${ds})/Observations?$top=5`);
    assert.equal(r.value.length, 5);
    assert.ok(r['@iot.nextLink']);
    const next = r['@iot.nextLink']!.replace('http://localhost:80', '');
    const page2 = await get(next);
    assert.equal(page2.value.length, 5);
    assert.ok(!page2.value.some((o) => r.value.some((p) => p['@iot.id'] === o['@iot.id'])), 'pages do not overlap');
    const all = await get(`/v1.1/Datastreams(${ds})/Observations?$top=100000`);
    assert.equal(all.value.length, 12, 'past the maximum the server imposes its limit, here not reached');
  });

  test('checkSkipQueryOption and checkCountQueryOption', async () => {
    const r = await get(`/v1.1/Datastreams(${ds})/Observations?$skip=10&$count=true`);
    assert.equal(r.value.length, 2);
    assert.equal(r['@iot.count'], 12);
    const f = await get(`/v1.1/Datastreams(${ds})/Observations?$filter=result eq 0&$count=true&$top=1`);
    assert.equal(f['@iot.count'], 3);
    const none = await get('/v1.1/Things?$count=false');
    assert.equal(none['@iot.count'], undefined);
  });

  test('checkOrderbyQueryOption: multi-key, stable', async () => {
    const r = await get(`/v1.1/Datastreams(${ds})/Observations?$orderby=result desc,phenomenonTime asc`);
    const pairs = r.value.map((o) => [o.result as number, o.phenomenonTime as string]);
    const sorted = [...pairs].sort((a, b) => (b[0] as number) - (a[0] as number) || String(a[1]).localeCompare(String(b[1])));
    assert.deepEqual(pairs, sorted);
    const things = await get('/v1.1/Things?$orderby=properties/rank desc');
    assert.deepEqual(things.value.map((x) => x.name).slice(0, 3), ['Trạm 2', 'Trạm 1', 'Trạm 0']);
  });

  test('checkFilterQueryOption: comparison, logic, functions, navigation, JSON properties', async () => {
    const cases: [string, string, number][] = [
      ['Things', "name eq 'Trạm 1'", 1],
      ['Things', "startswith(name, 'Trạm') and properties/rank ge 1", 2],
      ['Things', "properties/district eq 'Ninh Kiều'", 1],
      ['Things', "Datastreams/name eq 'DS2'", 1],
      ['Things', "not (properties/rank lt 2)", 1],
      ['Things', "length(name) eq 6 and tolower(name) eq 'trạm 0' and toupper(name) eq 'TRẠM 0'", 1],
      [`Datastreams(${ds})/Observations`, 'result gt 1 or result eq 0', 9],
      [`Datastreams(${ds})/Observations`, 'result add 1 eq 4', 3],
      [`Datastreams(${ds})/Observations`, 'phenomenonTime ge 2025-10-01T06:00:00Z and phenomenonTime lt 2025-10-01T08:00:00Z', 2],
      [`Datastreams(${ds})/Observations`, 'hour(phenomenonTime) eq 3', 1],
      [`Datastreams(${ds})/Observations`, "Datastream/Thing/name eq 'Trạm 0'", 12],
      ['Locations', "geo.distance(location, geography'POINT(105.7 10)') lt 0.015", 2],
      ['Locations', "st_within(location, geography'POLYGON((105.69 9.99, 105.715 9.99, 105.715 10.015, 105.69 10.015, 105.69 9.99))')", 2],
    ];
    for (const [set, filter, n] of cases) {
      const r = await get(`/v1.1/${set}?$filter=${encodeURIComponent(filter)}&$count=true`);
      assert.equal(r['@iot.count'], n, `${set} ${filter}`);
      assert.equal(r.value.length, n, `${set} ${filter}`);
    }
    for (const bad of ["name eq", "bogus eq 1", "name eq 'x' and", "substring(name)", "geo.distance(location, 'POINT(1)') lt 1"]) {
      const r = await t.api('GET', `/v1.1/Things?$filter=${encodeURIComponent(bad)}`);
      assert.equal(r.status, 400, `${bad}: ${r.text}`);
      assert.match((r.body as { code: string }).code, /INVALID|UNKNOWN|WRONG/);
    }
  });

  test('checkQueriesPriorityOrdering: $filter → $count → $orderby → $skip → $top', async () => {
    const r = await get(`/v1.1/Datastreams(${ds})/Observations?$top=2&$skip=1&$orderby=phenomenonTime desc&$count=true&$filter=result ge 2`);
    assert.equal(r['@iot.count'], 6, '$count counts the filtered set, before $skip/$top');
    assert.deepEqual(r.value.map((o) => o.phenomenonTime), ['2025-10-01T10:00:00.000Z', '2025-10-01T07:00:00.000Z']);
  });

  test('dataArray: GET with $resultFormat=dataArray and components from $select', async () => {
    const r = await get(`/v1.1/Datastreams(${ds})/Observations?$resultFormat=dataArray&$select=result,phenomenonTime&$top=3&$orderby=phenomenonTime`);
    const g = r.value[0] as unknown as { components: string[]; dataArray: unknown[][]; 'dataArray@iot.count': number };
    assert.deepEqual(g.components, ['result', 'phenomenonTime']);
    assert.deepEqual(g.dataArray[0], [0, '2025-10-01T00:00:00.000Z']);
    assert.equal(g['dataArray@iot.count'], 3);
    const foi = await get(`/v1.1/Datastreams(${ds})/Observations?$resultFormat=dataArray&$select=id,FeatureOfInterest/id&$top=1`);
    assert.deepEqual((foi.value[0] as unknown as { components: string[] }).components, ['id', 'FeatureOfInterest/id']);
    // A component the format does not have is an error, not left out in silence.
    const bad = await t.api('GET', `/v1.1/Datastreams(${ds})/Observations?$resultFormat=dataArray&$select=result,Datastream`);
    assert.equal(bad.status, 400, bad.text);
    assert.match((bad.body as { message: string }).message, /"Datastream" is not a dataArray component/);
  });

  test('CreateObservations: rows in order, "error" for rejected rows', async () => {
    const r = await t.api('POST', '/v1.1/CreateObservations', [
      { Datastream: { '@iot.id': ds }, components: ['phenomenonTime', 'result'], dataArray: [['2025-11-01T00:00:00Z', 1], ['not a time', 2], ['2025-11-01T00:01:00Z', 3]] },
      { Datastream: { '@iot.id': 999999 }, components: ['result'], dataArray: [[1]] },
    ]);
    assert.equal(r.status, 201);
    const links = r.body as string[];
    assert.equal(links.length, 4);
    assert.match(links[0]!, /Observations\(\d+\)$/);
    assert.equal(links[1], 'error');
    assert.match(links[2]!, /Observations\(\d+\)$/);
    assert.equal(links[3], 'error');
  });
});

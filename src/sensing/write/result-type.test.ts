// A result must fit its stream's observationType (§8.2.4 Table 12) on every HTTP way in: POST,
// deep insert, CreateObservations, PATCH and JSON-Patch, MultiDatastream elements. (MQTT: mqtt.test.ts.)
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachBackend } from '../../testing/platform.ts';
import { checkObservationType, misfit } from './result-type.ts';

const OM = 'http://www.opengis.net/def/observationType/OGC-OM/2.0/';

test('misfit: the four typed observationTypes; null and other types take anything', () => {
  const fits: [string, unknown][] = [
    ['OM_Measurement', 1.5], ['OM_Measurement', -3], ['OM_CountObservation', 4], ['OM_TruthObservation', false], ['OM_CategoryObservation', 'http://example.org/wet'],
    ['OM_Measurement', null], ['OM_Observation', 'x'], ['OM_ComplexObservation', { a: 1 }], ['someType', [1, 'a']],
  ];
  for (const [type, v] of fits) assert.equal(misfit(`${OM}${type}`, v), null, `${type} ${JSON.stringify(v)}`);
  const misfits: [string, unknown, string][] = [
    ['OM_Measurement', '21.1', 'must be a number (OM_Measurement), not "21.1"'],
    ['OM_Measurement', true, 'must be a number (OM_Measurement), not true'],
    ['OM_CountObservation', 2.5, 'must be an integer (OM_CountObservation), not 2.5'],
    ['OM_TruthObservation', 1, 'must be true or false (OM_TruthObservation), not 1'],
    ['OM_CategoryObservation', { c: 1 }, 'must be a string (OM_CategoryObservation), not {"c":1}'],
  ];
  for (const [type, v, why] of misfits) assert.equal(misfit(`${OM}${type}`, v), why);
  assert.match(misfit(`${OM}OM_Measurement`, 'x'.repeat(100))!, /not "x{39}…$/);
  assert.equal(misfit('OM_TruthObservation', 1), 'must be true or false (OM_TruthObservation), not 1', 'the short name too');
});

test('checkObservationType: a misspelt O&M type is refused with what was meant; types of the operator\'s own pass', () => {
  for (const ok of [`${OM}OM_Measurement`, `${OM}OM_ComplexObservation`, `${OM}OM_SWEArrayObservation`, 'OM_CountObservation', 'urn:example:anything', 'http://example.org/types/OM_Whatever', 'x']) {
    assert.doesNotThrow(() => checkObservationType('Datastream.observationType', ok), ok);
  }
  const meantUri = new RegExp(`; did you mean ${OM.replace(/[.]/g, '\\.')}OM_Measurement\\?$`);
  const refused: [string, RegExp][] = [
    [`${OM}OM_Measurment`, /^Datastream\.observationType "http:.*OM_Measurment" is not an O&M 2\.0 observation type; the types are .*OM_Measurement, OM_CountObservation/],
    [`${OM}om_measurement`, meantUri],
    [`${OM.replace('observationType', 'observationtype')}OM_Measurement`, meantUri],
    ['om_truthobservation', /; did you mean OM_TruthObservation\?$/],
    ['OM_Measure', /is not an O&M 2\.0 observation type; the types are/],
  ];
  for (const [type, why] of refused) {
    assert.throws(() => checkObservationType('Datastream.observationType', type), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'INVALID_ENTITY', type);
      assert.match(err.message, why);
      return true;
    });
  }
});

forEachBackend((t) => {
  const ids: Record<'measure' | 'count' | 'truth' | 'category' | 'free' | 'multi', number> = { measure: 0, count: 0, truth: 0, category: 0, free: 0, multi: 0 };
  const sensor = { name: 's', description: 's', encodingType: 'text/plain', metadata: 'm' };
  const uom = { name: 'm', symbol: 'm', definition: 'm' };
  const stream = (name: string, type: string) => ({ name, description: 'd', observationType: type.includes(':') ? type : `${OM}${type}`, unitOfMeasurement: uom, Sensor: sensor, ObservedProperty: { name: `op-${name}`, definition: 'o', description: 'o' } });
  const post = (body: unknown) => t.api('POST', '/v1.1/Observations', body);
  const code = (r: { body: unknown }) => (r.body as { code?: string }).code;
  const place = { name: 'l', description: 'l', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.7, 10] } };
  const count = async (id: number) => ((await t.api('GET', `/v1.1/Datastreams(${id})/Observations?$count=true&$top=0`)).body as { '@iot.count': number })['@iot.count'];

  before(async () => {
    const r = await t.api('POST', '/v1.1/Things', {
      name: 'Trạm', description: 'd', Locations: [place],
      Datastreams: [stream('measure', 'OM_Measurement'), stream('count', 'OM_CountObservation'), stream('truth', 'OM_TruthObservation'), stream('category', 'OM_CategoryObservation'), stream('free', 'urn:example:anything')],
      MultiDatastreams: [{
        name: 'multi', description: 'd', observationType: `${OM}OM_ComplexObservation`, multiObservationDataTypes: [`${OM}OM_Measurement`, `${OM}OM_TruthObservation`],
        unitOfMeasurements: [uom, uom], Sensor: sensor, ObservedProperties: [{ name: 'm1', definition: 'o', description: 'o' }, { name: 'm2', definition: 'o', description: 'o' }],
      }],
    });
    assert.equal(r.status, 201, r.text);
    const thing = (r.body as { '@iot.id': number })['@iot.id'];
    const list = (await t.api('GET', `/v1.1/Things(${thing})/Datastreams?$select=id,name`)).body as { value: { '@iot.id': number; name: keyof typeof ids }[] };
    for (const d of list.value) ids[d.name] = d['@iot.id'];
    ids.multi = ((await t.api('GET', `/v1.1/Things(${thing})/MultiDatastreams?$select=id`)).body as { value: { '@iot.id': number }[] }).value[0]!['@iot.id'];
  });

  test('POST: each type takes its own values and null, and refuses others with 400 WRONG_TYPE; nothing is written', async () => {
    const good: [keyof typeof ids, unknown][] = [['measure', 1.92], ['measure', null], ['count', 12], ['truth', true], ['category', 'mưa'], ['free', { any: ['thing'] }], ['free', 'text']];
    for (const [s, result] of good) {
      const r = await post({ result, Datastream: { '@iot.id': ids[s] } });
      assert.equal(r.status, 201, `${s} ${JSON.stringify(result)}: ${r.text}`);
    }
    const before = await count(ids.measure);
    const bad: [keyof typeof ids, unknown][] = [['measure', '1.92'], ['measure', [1]], ['count', 1.5], ['truth', 'true'], ['category', 3]];
    for (const [s, result] of bad) {
      const r = await post({ result, Datastream: { '@iot.id': ids[s] } });
      assert.equal(r.status, 400, `${s} ${JSON.stringify(result)}`);
      assert.equal(code(r), 'WRONG_TYPE');
    }
    const r = await t.api('POST', `/v1.1/Datastreams(${ids.measure})/Observations`, { result: 'high' });
    assert.equal(r.status, 400);
    assert.equal((r.body as { message: string }).message, `The result of an Observation of Datastream(${ids.measure}) must be a number (OM_Measurement), not "high"`);
    assert.equal(await count(ids.measure), before);
  });

  test('deep insert: an Observation of the wrong type rolls the whole request back', async () => {
    const r = await t.api('POST', '/v1.1/Things', { name: 'x', description: 'd', Locations: [place], Datastreams: [{ ...stream('deep', 'OM_CountObservation'), Observations: [{ result: 1 }, { result: 'two' }] }] });
    assert.equal(r.status, 400, r.text);
    assert.equal(code(r), 'WRONG_TYPE');
    const things = (await t.api('GET', "/v1.1/Things?$filter=name eq 'x'&$count=true")).body as { '@iot.count': number };
    assert.equal(things['@iot.count'], 0);
  });

  test('MultiDatastream: each element against its own type; null elements fit', async () => {
    const at = { MultiDatastream: { '@iot.id': ids.multi } };
    assert.equal((await post({ result: [1.5, true], ...at })).status, 201);
    assert.equal((await post({ result: [null, false], ...at })).status, 201);
    const r = await post({ result: [1.5, 'yes'], ...at });
    assert.equal(r.status, 400);
    assert.equal((r.body as { message: string }).message, `Element 1 of the result of an Observation of MultiDatastream(${ids.multi}) must be true or false (OM_TruthObservation), not "yes"`);
    assert.equal(code(await post({ result: [1.5], ...at })), 'WRONG_TYPE');
  });

  test('CreateObservations: a row of the wrong type answers "error" in its place, the others are written', async () => {
    const r = await t.api('POST', '/v1.1/CreateObservations', [
      { Datastream: { '@iot.id': ids.measure }, components: ['phenomenonTime', 'result'], dataArray: [['2025-10-01T07:00:00+07:00', 1.1], ['2025-10-01T07:01:00+07:00', 'n/a'], ['2025-10-01T07:02:00+07:00', 1.3]] },
      { MultiDatastream: { '@iot.id': ids.multi }, components: ['phenomenonTime', 'result'], dataArray: [['2025-10-01T07:00:00+07:00', [2, 'x']], ['2025-10-01T07:00:00+07:00', [2, true]]] },
    ]);
    assert.equal(r.status, 201, r.text);
    const links = r.body as string[];
    assert.deepEqual(links.map((l) => (l === 'error' ? 'error' : 'ok')), ['ok', 'error', 'ok', 'error', 'ok']);
  });

  test('PATCH, PUT and JSON-Patch: the new result, or the result under its new Datastream, must fit', async () => {
    const o = await post({ result: 1, Datastream: { '@iot.id': ids.measure } });
    const self = `/v1.1/Observations(${(o.body as { '@iot.id': number })['@iot.id']})`;
    const patched = await t.api('PATCH', self, { result: 'one' });
    assert.equal(code(patched), 'WRONG_TYPE', patched.text);
    assert.equal(code(await t.api('PATCH', self, [{ op: 'replace', path: '/result', value: false }], { headers: { 'content-type': 'application/json-patch+json' } })), 'WRONG_TYPE');
    // Moved to a Truth Datastream, the stored 1 no longer fits; with a boolean it does.
    assert.equal(code(await t.api('PATCH', self, { Datastream: { '@iot.id': ids.truth } })), 'WRONG_TYPE');
    assert.equal((await t.api('PATCH', self, { Datastream: { '@iot.id': ids.truth }, result: true })).status, 200);
    assert.deepEqual(((await t.api('GET', `${self}?$select=result`)).body as { result: unknown }).result, true);
    assert.equal((await t.api('PATCH', self, { result: 2.5 })).status, 400);
  });
  test('a Datastream or MultiDatastream with a misspelt O&M type is refused (400 INVALID_ENTITY), on POST, deep insert and PATCH; nothing is written', async () => {
    const thing = (await t.api('POST', '/v1.1/Things', { name: 'types', description: 'd' })).body as { '@iot.id': number };
    const streams = async () => ((await t.api('GET', '/v1.1/Datastreams?$count=true&$top=0')).body as { '@iot.count': number })['@iot.count'];
    const before = await streams();
    const typo = `${OM}OM_Measurment`;
    const posted = await t.api('POST', '/v1.1/Datastreams', { ...stream('typo', typo), Thing: { '@iot.id': thing['@iot.id'] } });
    assert.equal(posted.status, 400, posted.text);
    assert.equal(code(posted), 'INVALID_ENTITY');
    assert.match((posted.body as { message: string }).message, /^Datastream\.observationType ".*OM_Measurment" is not an O&M 2\.0 observation type/);
    const deep = await t.api('POST', '/v1.1/Things', { name: 'deep-typo', description: 'd', Datastreams: [stream('deep-typo', 'om_measurement')] });
    assert.equal(code(deep), 'INVALID_ENTITY', deep.text);
    assert.match((deep.body as { message: string }).message, /did you mean http:.*\/OM_Measurement\?/);
    const multi = await t.api('POST', '/v1.1/MultiDatastreams', {
      name: 'm-typo', description: 'd', observationType: `${OM}OM_ComplexObservation`, multiObservationDataTypes: [`${OM}OM_Measurement`, `${OM}OM_TruthObservaton`],
      unitOfMeasurements: [uom, uom], Thing: { '@iot.id': thing['@iot.id'] }, Sensor: sensor, ObservedProperties: [{ name: 'mt1', definition: 'o', description: 'o' }, { name: 'mt2', definition: 'o', description: 'o' }],
    });
    assert.equal(code(multi), 'INVALID_ENTITY', multi.text);
    assert.match((multi.body as { message: string }).message, /^MultiDatastream\.multiObservationDataTypes\[1\]/);
    assert.equal(await streams(), before);
    const patched = await t.api('PATCH', `/v1.1/Datastreams(${ids.measure})`, { observationType: typo });
    assert.equal(code(patched), 'INVALID_ENTITY', patched.text);
    // The stream keeps its type, and with it the result check.
    assert.equal(code(await post({ result: 'high', Datastream: { '@iot.id': ids.measure } })), 'WRONG_TYPE');
    assert.equal((await t.api('PATCH', `/v1.1/Datastreams(${ids.free})`, { observationType: 'urn:example:other', name: 'free' })).status, 200);
  });
});

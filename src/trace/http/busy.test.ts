// A GET of the EPCIS query routes that does not fit in CANTHO_ANSWER_BUFFER (server/answer-budget.ts)
// is answered 503 in the REST binding's problem+json, as every other /epcis error, with Retry-After.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { before, test } from 'node:test';
import { forEachBackend } from '../../testing/platform.ts';
import { postSigned, sampleDocument, setupOrg } from '../testing.ts';

const ROWS = 10_000;

forEachBackend((tp) => {
  if (tp.backend.dialect !== 'sqlite') return;
  let page = '';
  before(async () => {
    const org = await setupOrg(tp, 'busy-org');
    const r = await postSigned(tp, org, '/epcis/capture', sampleDocument(300));
    assert.equal(r.status, 202, r.text);
    // A SensorThings page of ~15 MB: more than the sockets' buffers take from a client that reads nothing.
    const thing = await tp.api('POST', '/v1.1/Things', {
      name: 't', description: 'd',
      Locations: [{ name: 'l', description: 'l', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.7, 10] } }],
      Datastreams: [{ name: 'x', description: 'd', observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Observation', unitOfMeasurement: {},
        Sensor: { name: 's', description: 's', encodingType: 'text/plain', metadata: 'm' }, ObservedProperty: { name: 'o', definition: 'o', description: 'o' } }],
    });
    assert.equal(thing.status, 201, thing.text);
    const ds = ((await tp.api('GET', '/v1.1/Datastreams?$select=id')).body as { value: { '@iot.id': number }[] }).value[0]!['@iot.id'];
    for (let half = 0; half < 2; half++) {
      const dataArray = Array.from({ length: ROWS / 2 }, (_, i) => [new Date(Date.UTC(2024, 0, 1) + (half * ROWS + i) * 1000).toISOString(), `${i}`.padEnd(1500, 'x')]);
      const c = await tp.api('POST', '/v1.1/CreateObservations', [{ Datastream: { '@iot.id': ds }, components: ['phenomenonTime', 'result'], dataArray }]);
      assert.equal(c.status, 201, c.text);
    }
    page = `/v1.1/Datastreams(${ds})/Observations?$top=${ROWS}&$select=id,result`;
  });

  test('past CANTHO_ANSWER_BUFFER an EPCIS query is answered 503 ImplementationException (problem+json) with Retry-After', async () => {
    await tp.p.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (tp.p.app.server.address() as { port: number }).port;
    const stalled = connect({ port, host: '127.0.0.1' });
    stalled.on('error', () => {});
    stalled.pause();
    stalled.write(`GET ${page} HTTP/1.1\r\nHost: x\r\n\r\n`);
    try {
      for (let i = 0; ; i++) {
        const m = (await tp.api('GET', '/metrics')).text;
        if (Number(/^cantho_http_answer_bytes (\d+)$/m.exec(m)?.[1]) > 1_000_000) break;
        assert.ok(i < 200, 'the stalled answer is held');
        await new Promise((r) => setTimeout(r, 25));
      }
      const busy = await tp.api('GET', '/epcis/events?perPage=300', undefined, { key: null });
      assert.equal(busy.status, 503, busy.text.slice(0, 200));
      assert.equal(busy.headers['retry-after'], '5');
      assert.match(String(busy.headers['content-type']), /^application\/problem\+json/);
      assert.equal(busy.headers['gs1-epcis-version'], '2.0.0');
      const b = busy.body as { type: string; status: number; code: string; detail: string };
      assert.deepEqual([b.type, b.status, b.code], ['epcisException:ImplementationException', 503, 'BUSY']);
      assert.match(b.detail, /CANTHO_ANSWER_BUFFER/);
      // A page smaller than 64 KiB is not counted, and goes out.
      assert.equal((await tp.api('GET', '/epcis/events?perPage=5', undefined, { key: null })).status, 200);
    } finally {
      stalled.destroy();
    }
  });
}, { CANTHO_ANSWER_BUFFER: String(64 * 1024), CANTHO_SEND_TIMEOUT_MS: '0' });

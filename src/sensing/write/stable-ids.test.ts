import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachBackend } from '../../testing/platform.ts';
import { seedBasic } from '../conformance/fixtures.ts';

type E = { '@iot.id': number };

/**
 * An id names one entity for good: deleting the newest Observation or Thing does not hand its id
 * to the next one, so a saved link or a cache never shows another entity under it, and a live
 * client resuming after that id (Last-Event-ID) misses nothing. On SQLite this rests on migration
 * 005 (AUTOINCREMENT); PostgreSQL's identity columns never reuse an id.
 */
forEachBackend((t) => {
  test('the newest Observation and Thing deleted: the next ones get new ids, and the old ids stay gone', async () => {
    await seedBasic(t);
    const things = (await t.api('GET', '/v1.1/Things?$expand=Datastreams')).body as { value: (E & { Datastreams: E[] })[] };
    const ds = things.value[0]!.Datastreams[0]!['@iot.id'];
    const post = async (url: string, body: unknown) => {
      const r = await t.api('POST', url, body);
      assert.equal(r.status, 201, r.text);
      return (r.body as E)['@iot.id'];
    };
    const observation = { phenomenonTime: '2025-10-01T03:00:00Z', result: 2.2 };
    const first = await post(`/v1.1/Datastreams(${ds})/Observations`, observation);
    assert.equal((await t.api('DELETE', `/v1.1/Observations(${first})`)).status, 200);
    const second = await post(`/v1.1/Datastreams(${ds})/Observations`, observation);
    assert.ok(second > first, `a new id: ${second} after ${first}`);
    assert.equal((await t.api('GET', `/v1.1/Observations(${first})`)).status, 404);

    const thing = { name: 'Trạm tạm', description: 'xoá ngay' };
    const a = await post('/v1.1/Things', thing);
    assert.equal((await t.api('DELETE', `/v1.1/Things(${a})`)).status, 200);
    const b = await post('/v1.1/Things', thing);
    assert.ok(b > a, `a new id: ${b} after ${a}`);
    assert.equal((await t.api('GET', `/v1.1/Things(${a})`)).status, 404);
  });
});

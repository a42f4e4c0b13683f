import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonInSlices, SLICE } from './json-slices.ts';

const page = (n: number) => ({
  '@iot.count': n,
  '@iot.nextLink': 'http://x/v1.1/Observations?$skip=5&$filter=result eq \'"value":[]\'',
  value: Array.from({ length: n }, (_, i) => ({ '@iot.id': i + 1, result: i % 3 ? `Cần Thơ ${i}` : i / 7, parameters: { value: [] }, Datastream: { '@iot.id': 1, name: 'mực nước' } })),
});

test('a large page comes back as the same bytes JSON.stringify writes, the event loop turning between slices', async () => {
  for (const n of [SLICE + 1, 2 * SLICE, 2 * SLICE + 17]) {
    const body = page(n);
    // Something else waiting for a turn of the loop runs before the last slice of three.
    let other = false;
    const out = jsonInSlices(body);
    setImmediate(() => (other = true));
    const bytes = await out;
    assert.ok(Buffer.isBuffer(bytes));
    assert.equal(bytes.toString('utf8'), JSON.stringify(body), `${n} entities`);
    if (n > 2 * SLICE) assert.ok(other, `the loop turned between the slices of ${n}`);
  }
  // `value` first or in the middle keeps its place.
  const { value, ...rest } = page(SLICE + 1);
  for (const body of [{ value, ...rest }, { '@iot.count': 1, value, z: 'after' }]) assert.equal((await jsonInSlices(body) as Buffer).toString(), JSON.stringify(body));
});

test('a small page and other shapes are left to Fastify', async () => {
  for (const body of [page(SLICE), { value: 'x' }, null, 'text', { '@iot.id': 1 }]) assert.equal(await jsonInSlices(body), body);
});

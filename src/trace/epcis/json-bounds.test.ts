import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkJsonBounds, DEFAULT_JSON_BOUNDS } from './json-bounds.ts';

test('plain JSON within bounds passes', () => {
  assert.deepEqual(checkJsonBounds({ a: [1, 'x', null, true, { 'b/c~d': 2.5 }] }), []);
});

test('each bound is enforced and reported with a JSON Pointer', () => {
  const b = { ...DEFAULT_JSON_BOUNDS, maxDepth: 3, maxStringLength: 5, maxArrayLength: 2, maxObjectKeys: 2, maxKeyLength: 4, maxNodes: 50 };
  assert.deepEqual(checkJsonBounds({ a: { b: { c: { d: 1 } } } }, b), [{ path: '/a/b/c', message: 'nesting deeper than 3 levels' }]);
  assert.deepEqual(checkJsonBounds({ 'x/y': ['toolong'] }, b), [{ path: '/x~1y/0', message: 'string longer than 5 characters' }]);
  assert.equal(checkJsonBounds([1, 2, 3], b)[0]!.path, '');
  assert.equal(checkJsonBounds({ a: 1, b: 2, c: 3 }, b).length, 1);
  assert.equal(checkJsonBounds({ abcde: 1 }, b).length, 1);
  assert.match(checkJsonBounds(Array.from({ length: 20 }, (_, i) => i), { ...DEFAULT_JSON_BOUNDS, maxNodes: 10 })[0]?.message ?? '', /more than 10 JSON values/);
});

test('non-JSON values are reported, not thrown', () => {
  for (const v of [undefined, () => 1, Symbol('s'), 1n, Number.NaN, Number.POSITIVE_INFINITY, new Date(), new Map(), /x/]) {
    assert.equal(checkJsonBounds({ v }).length, 1);
  }
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.match(checkJsonBounds(cyclic)[0]!.message, /nesting deeper/);
  assert.deepEqual(checkJsonBounds(Object.create(null)), []);
});

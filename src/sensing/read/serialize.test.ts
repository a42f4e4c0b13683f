// The fast instant formatter must write exactly what Date#toISOString writes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatInstant, isoTime } from './serialize.ts';

const reference = (ms: number) => new Date(ms).toISOString();

test('formatInstant equals Date#toISOString', () => {
  const edge = fc.constantFrom(0, 1, 999, 1000, 86_399_999, 86_400_000, 951_782_400_000, 253_402_300_799_999, 253_402_300_800_000, -1, -86_400_001, 8.64e15, -8.64e15, 1.5, 1_767_225_600_000.5);
  fc.assert(
    fc.property(fc.oneof(edge, fc.integer({ min: -1e13, max: 2.6e14 }), fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }), fc.double({ min: -8.64e15, max: 8.64e15, noNaN: true })), (ms) => {
      assert.equal(formatInstant(ms), reference(ms), String(ms));
    }),
    { numRuns: 50_000 },
  );
  // Consecutive calls share the cached day; jumping back and forth must not reuse a stale one.
  for (const ms of [1_767_225_599_999, 1_767_225_600_000, 1_767_225_599_999, 0, 1_767_225_600_000]) assert.equal(formatInstant(ms), reference(ms));
  assert.throws(() => formatInstant(Number.NaN), RangeError);
  assert.equal(isoTime(null), null);
  assert.equal(isoTime('1767225600000'), '2026-01-01T00:00:00.000Z');
});

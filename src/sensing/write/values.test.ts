// The fast instant parser must agree with the strict one (regex + Date.parse) on every input:
// the same epoch ms, or the same error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fastInstant, parseInstant, parseInstantStrict, parseTimeObject } from './values.ts';

const outcome = (fn: () => number) => {
  try {
    return { ms: fn() };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return { code: err.code, message: err.message };
  }
};

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Instant-like strings around the calendar edges, valid and not. */
const instantLike = fc
  .record({
    y: fc.integer({ min: 0, max: 9999 }),
    mo: fc.integer({ min: 0, max: 13 }),
    d: fc.integer({ min: 0, max: 32 }),
    h: fc.integer({ min: 0, max: 25 }),
    mi: fc.integer({ min: 0, max: 61 }),
    s: fc.option(fc.integer({ min: 0, max: 61 })),
    frac: fc.option(fc.stringMatching(/^[0-9]{0,11}$/)),
    zone: fc.oneof(
      fc.constantFrom('Z', 'z', '', 'UTC', '+07', 'ZZ'),
      fc.record({ sign: fc.constantFrom('+', '-'), h: fc.integer({ min: 0, max: 25 }), m: fc.integer({ min: 0, max: 61 }), colon: fc.boolean() })
        .map((z) => `${z.sign}${pad(z.h, 2)}${z.colon ? ':' : ''}${pad(z.m, 2)}`),
    ),
    sep: fc.constantFrom('T', 'T', 'T', 't', ' '),
  })
  .map((p) => {
    const sec = p.s === null ? '' : `:${pad(p.s, 2)}${p.frac === null ? '' : `.${p.frac}`}`;
    return `${pad(p.y, 4)}-${pad(p.mo, 2)}-${pad(p.d, 2)}${p.sep}${pad(p.h, 2)}:${pad(p.mi, 2)}${sec}${p.zone}`;
  });

test('fastInstant agrees with the strict parser (regex + Date.parse) on instant-like strings', () => {
  fc.assert(
    fc.property(fc.oneof(instantLike, fc.string(), fc.string({ unit: fc.constantFrom(...'0123456789-:T.Z+') })), (s) => {
      const fast = fastInstant(s);
      const strict = outcome(() => parseInstantStrict(s, 'x'));
      if (!Number.isNaN(fast)) assert.deepEqual({ ms: fast }, strict, s);
      assert.deepEqual(outcome(() => parseInstant(s, 'x')), strict, s);
    }),
    { numRuns: 20_000 },
  );
});

test('fastInstant takes the common shapes', () => {
  for (const s of ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.123Z', '2024-02-29T23:59:59.9999999+07:00', '2026-01-01T00:00Z', '0000-01-01T00:00:00-23:59']) {
    assert.ok(!Number.isNaN(fastInstant(s)), s);
    assert.equal(fastInstant(s), parseInstantStrict(s, 'x'), s);
  }
  // Left to the strict path (and Date.parse's own reading of them).
  for (const s of ['2026-01-01T00:00:00+0700', '2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:00:00.1234567890Z']) assert.ok(Number.isNaN(fastInstant(s)), s);
});

test('errors stay those of the strict parser', () => {
  for (const v of [42, null, '', '2026-01-01', '2026-01-01T00:00:60Z', '2026-13-01T00:00:00Z', '2026-01-01T00:00:00+24:00']) {
    assert.deepEqual(outcome(() => parseInstant(v, 'phenomenonTime')), outcome(() => parseInstantStrict(v, 'phenomenonTime')));
    assert.equal(outcome(() => parseInstant(v, 'phenomenonTime')).code, 'INVALID_TIME');
  }
  assert.deepEqual(parseTimeObject('2026-01-01T00:00:00Z/2026-01-01T01:00:00+01:00', 't'), [Date.parse('2026-01-01T00:00:00Z'), Date.parse('2026-01-01T00:00:00Z')]);
});
